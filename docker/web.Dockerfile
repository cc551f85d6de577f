# AlignLab web node: UI, REST API, SignalR hub. Build from the repository root:
#   docker build -f docker/web.Dockerfile -t alignlab-web .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/AlignLab.Web/AlignLab.Web.csproj -c Release -o /app -m:1

FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
# Inside a container the UI listens on all interfaces; publish the port on the host's loopback or behind a proxy.
ENV Urls=http://0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["dotnet", "AlignLab.Web.dll"]
