using System.Text.Json;
using System.Text.Json.Serialization;
using CredentialService.Audit;
using CredentialService.ConnectionTests;
using CredentialService.Credentials;
using CredentialService.Infrastructure.Health;
using CredentialService.KeyCustody;
using CredentialService.RuntimeAccess;

namespace CredentialService;

/// <summary>Source-generated JSON for every contract: no reflection on the hot paths.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CreateCredentialRequest))]
[JsonSerializable(typeof(UpdateCredentialRequest))]
[JsonSerializable(typeof(CredentialResponse))]
[JsonSerializable(typeof(CredentialPage))]
[JsonSerializable(typeof(TestResult))]
[JsonSerializable(typeof(TestKeyRequest))]
[JsonSerializable(typeof(CredentialSecret))]
[JsonSerializable(typeof(CredentialEventPage))]
[JsonSerializable(typeof(EventDetail))]
[JsonSerializable(typeof(RewrapResult))]
[JsonSerializable(typeof(KeyUsagePage))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Usages.PutUsageRequest))]
[JsonSerializable(typeof(Usages.UsageResponse))]
[JsonSerializable(typeof(Usages.UsageResponse[]))]
[JsonSerializable(typeof(Usages.UsageList))]
internal sealed partial class CredentialServiceJsonContext : JsonSerializerContext;
