# AlignLab GPU worker: a Hangfire server that trains on the node's GPU. Build from the repository root:
#   docker build -f docker/worker.Dockerfile -t alignlab-worker .
# TorchSharpBackend=cuda swaps libtorch-cpu for the TorchSharp-cuda-linux package, which carries libtorch and the
# CUDA libraries it was built against; the build's TorchSharp step patches its native glue as on every build. The
# publish is self-contained, so the CUDA runtime image needs no .NET install; the host needs the NVIDIA driver and
# the container toolkit.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/AlignLab.Worker/AlignLab.Worker.csproj -c Release -r linux-x64 --self-contained true \
    -p:TorchSharpBackend=cuda -o /app -m:1

FROM nvidia/cuda:12.8.1-runtime-ubuntu24.04
# ICU for culture-aware text (WordPiece lower-casing of accented text), CA certificates for the revision endpoint.
RUN apt-get update && apt-get install -y --no-install-recommends libicu74 ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENV AlignLab__Jobs__Queues__0=gpu \
    AlignLab__Jobs__WorkerCount=1
ENTRYPOINT ["./AlignLab.Worker"]
