# Multi-stage build of the Credential Service.
#   docker build -t credential-service .
# (or: docker compose up --build, see docker-compose.yml)

# ---- Build ------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source

# Restore first, from the project/props files only, so the NuGet layer is cached
# until a dependency changes. (The solution also lists test projects, which are
# not in the build context, so restore/publish target the service project.)
COPY Directory.Build.props Directory.Packages.props global.json CredentialService.sln ./
COPY src/CredentialService/CredentialService.csproj src/CredentialService/
RUN dotnet restore src/CredentialService/CredentialService.csproj -r linux-x64 -p:PublishReadyToRun=true

# Everything else (.dockerignore keeps out tests, build output, local data).
COPY . .
# ReadyToRun: precompiled code halves the time to ready (measured in docs/performance.md).
RUN dotnet publish src/CredentialService/CredentialService.csproj -c Release --no-restore \
    -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o /app/publish /p:UseAppHost=false

# ---- Runtime ----------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app/publish .

# Non-root: APP_UID is the unprivileged 'app' user defined by the .NET images.
USER $APP_UID
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
ENTRYPOINT ["dotnet", "CredentialService.dll"]
