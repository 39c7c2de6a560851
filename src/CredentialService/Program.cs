using CredentialService.Audit;
using CredentialService.ConnectionTests;
using CredentialService.Credentials;
using CredentialService.Data;
using CredentialService.Infrastructure;
using CredentialService.Infrastructure.Auth;
using CredentialService.Infrastructure.Errors;
using CredentialService.Infrastructure.Health;
using CredentialService.Infrastructure.Management;
using CredentialService.Infrastructure.OpenApi;
using CredentialService.Infrastructure.Telemetry;
using CredentialService.KeyCustody;
using CredentialService.Proxy;
using CredentialService.RateLimiting;
using CredentialService.RuntimeAccess;
using CredentialService.Usages;
using CredentialService.Verification;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSingleton(TimeProvider.System);
builder.AddCredentialsDatabase();
builder.AddHousekeeping();
builder.AddKeyRing();
builder.AddCallerAuthentication();
builder.AddProblemResponses();
builder.AddContracts();
builder.AddCredentials();
builder.AddConnectionTests();
builder.AddVerification();
builder.AddSharedRateLimiting();
builder.AddProxy();
builder.AddHealth();
builder.AddManagementPort();
builder.AddOpenApiDocument();
builder.AddTelemetry();

var app = builder.Build();

app.UseProblemResponses();
app.UseManagementPort();
app.UseCredentialManagerPage();
app.UseOpenApiDocument();
app.UseAuthentication();
app.UseAuthorization();

app.MapHealth();
app.MapTelemetry();
app.MapCredentials();
app.MapConnectionTests();
app.MapRuntimeAccess();
app.MapAudit();
app.MapUsages();
app.MapKeyCustody();
app.MapProxy();

app.Run();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
