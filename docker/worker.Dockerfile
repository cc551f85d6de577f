# AlignLab GPU worker: a Hangfire server that trains on the node's GPU. Build from the repository root:
#   docker build -f docker/worker.Dockerfile -t alignlab-worker .
# TorchSharpBackend=cuda swaps libtorch-cpu for the TorchSharp-cuda-linux package, which carries libtorch
# with its CUDA libraries; the host needs only the NVIDIA driver and the container toolkit.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/AlignLab.Worker/AlignLab.Worker.csproj -c Release -r linux-x64 --self-contained false \
    -p:TorchSharpBackend=cuda -o /app -m:1

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
ENV AlignLab__Jobs__Queues__0=gpu \
    AlignLab__Jobs__WorkerCount=1
ENTRYPOINT ["dotnet", "AlignLab.Worker.dll"]
