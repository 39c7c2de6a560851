using CredentialService;
using CredentialService.Audit;
using CredentialService.ConnectionTests;
using CredentialService.Credentials;
using CredentialService.Data;
using CredentialService.Idempotency;
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
using FluentValidation;

var builder = WebApplication.CreateBuilder(args);

builder.AddCredentialsDatabase();
builder.AddCredentialLimits();
builder.AddHousekeeping();
builder.AddKeyRing();
builder.AddCallerAuthentication();
builder.AddProblemResponses();
builder.AddConnectionTests();
builder.AddVerification();
builder.AddSharedRateLimiting();
builder.AddProxy();
builder.AddHealth();
builder.AddManagementPort();
builder.AddOpenApiDocument();
builder.AddTelemetry();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, CredentialServiceJsonContext.Default));
builder.Services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(o =>
    o.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow);
builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton);
builder.Services.AddScoped<IdempotentCreate>();

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
