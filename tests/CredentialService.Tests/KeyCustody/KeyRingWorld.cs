using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection.KeyManagement.Internal;
using Npgsql;

namespace CredentialService.Tests.KeyCustody;

/// <summary>
/// What a key-custody test does with its <see cref="KeyRingTest"/>'s database, fake regions and hosts (all set up and
/// disposed by <see cref="IsolatedServiceTest"/>): start and restart instances, make certificates, read the ciphertexts
/// and the key ring as an operator would. Key-custody tests change state shared by every tenant (the key ring, the
/// canary, rewrap counts), so each test has a database of its own instead of joining the shared service.
/// </summary>
public sealed class KeyRingWorld
{
    private readonly Func<IReadOnlyDictionary<string, string?>, string, ServiceHost> startHost;
    private readonly DirectoryInfo certificates = Directory.CreateTempSubdirectory("keycustody-certs-");

    internal KeyRingWorld(
        string connectionString, FakeCustomerIoServer us, FakeCustomerIoServer eu,
        Func<IReadOnlyDictionary<string, string?>, string, ServiceHost> startHost)
    {
        ConnectionString = connectionString;
        Us = us;
        Eu = eu;
        this.startHost = startHost;
    }

    public string ConnectionString { get; }
    public FakeCustomerIoServer Us { get; }
    public FakeCustomerIoServer Eu { get; }

    /// <summary>Starts a service instance on this world's database (migrations and canary run before it returns).</summary>
    public ServiceHost StartHost(IReadOnlyDictionary<string, string?>? settings = null, string environment = "Development")
    {
        var merged = new Dictionary<string, string?>
        {
            // Several stored tests per tenant in one burst must not meet the per-tenant limit.
            ["RateLimiting:TestsPerSecondPerTenant"] = "1000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) merged[key] = value;

        var host = startHost(merged, environment);
        _ = host.Server;
        return host;
    }

    /// <summary>Stops <paramref name="host"/> and starts a new instance on the same database: a restart.</summary>
    public async Task<ServiceHost> RestartAsync(ServiceHost host, IReadOnlyDictionary<string, string?>? settings = null)
    {
        await host.DisposeAsync();
        return StartHost(settings);
    }

    /// <summary>
    /// The default key of <paramref name="host"/> once its key ring no longer defaults to <paramref name="oldKeyId"/>.
    /// After a revocation in-process, DataProtection refreshes its cached ring in the background and serves the old
    /// ring meanwhile, so a test that needs the new key in use waits for it like this.
    /// </summary>
    public static async Task<Guid> DefaultKeyAfterRefreshAsync(ServiceHost host, Guid oldKeyId)
    {
        var ring = host.Service<IKeyRingProvider>();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var current = ring.GetCurrentKeyRing().DefaultKeyId;
            if (current != oldKeyId) return current;
            await Task.Delay(50);
        }

        throw new TimeoutException($"The key ring still defaults to {oldKeyId} after 5 seconds.");
    }

    /// <summary>A self-signed RSA certificate with its private key, as a password-protected PFX file.</summary>
    public TestCertificate NewCertificate(string name)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var path = Path.Combine(certificates.FullName, $"{name}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        var pemPath = Path.Combine(certificates.FullName, $"{name}.crt");
        var keyPath = Path.Combine(certificates.FullName, $"{name}.key");
        File.WriteAllText(pemPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
        return new TestCertificate(path, password, Convert.ToBase64String(certificate.RawData), pemPath, keyPath);
    }

    public async Task<byte[]> CiphertextOf(Guid credentialId)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("SELECT app_api_key_ciphertext FROM credentials WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", credentialId);
        return (byte[])(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The data-protection key a payload was protected under: bytes 4..20 after the magic header.</summary>
    public static Guid KeyIdOf(byte[] payload) => new(payload.AsSpan(4, 16));

    public async Task<Guid> KeyIdOfCredential(Guid credentialId) => KeyIdOf(await CiphertextOf(credentialId));

    public async Task<Guid> KeyIdOfCanary() => KeyIdOf(await CanaryCiphertext());

    public async Task<byte[]> CanaryCiphertext()
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("SELECT ciphertext FROM key_ring_canary", connection);
        return (byte[])(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The rows of the key ring table, as an operator would see them with psql.</summary>
    public async Task<IReadOnlyList<(string FriendlyName, string Xml)>> KeyRingRows()
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("SELECT friendly_name, xml FROM data_protection_keys ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1)));
        return rows;
    }

    public async Task<int> ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return await command.ExecuteNonQueryAsync();
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    internal void DeleteCertificates() => certificates.Delete(recursive: true);
}

/// <param name="Base64Der">The public certificate as DataProtection embeds it in each key it encrypts.</param>
/// <param name="PemPath">The same certificate as PEM, for <c>DataProtection:Certificate:KeyPath</c> setups.</param>
/// <param name="KeyPath">Its private key as unencrypted PKCS#8 PEM.</param>
public sealed record TestCertificate(string Path, string Password, string Base64Der, string PemPath, string KeyPath)
{
    public Dictionary<string, string?> AsCurrentPem() => new()
    {
        ["DataProtection:Certificate:Path"] = PemPath,
        ["DataProtection:Certificate:KeyPath"] = KeyPath,
    };

    /// <summary>Configuration for an instance that protects new keys with this certificate and can read under <paramref name="previous"/>.</summary>
    public Dictionary<string, string?> AsCurrent(params TestCertificate[] previous)
    {
        var settings = new Dictionary<string, string?>
        {
            ["DataProtection:Certificate:Path"] = Path,
            ["DataProtection:Certificate:Password"] = Password,
        };
        for (var i = 0; i < previous.Length; i++)
        {
            settings[$"DataProtection:PreviousCertificates:{i}:Path"] = previous[i].Path;
            settings[$"DataProtection:PreviousCertificates:{i}:Password"] = previous[i].Password;
        }

        return settings;
    }
}

/// <summary>What a caller does with the key-custody parts of the API, with the status codes a caller expects.</summary>
public static class KeyCustodyCalls
{
    /// <summary>Stores a new credential whose key the US fake accepts; returns its id.</summary>
    public static async Task<Guid> CreateWorkingCredential(this HttpClient client, FakeCustomerIoServer us, string key)
    {
        us.Respond(key, FakeReply.Ok());
        var created = await client.CreateCredential(key);
        return created["id"]!.GetValue<Guid>();
    }

    public static async Task<string> SecretKey(this HttpClient client, Guid id)
    {
        var body = await client.GetJson($"/v1/credentials/{id}/secret");
        return body["appApiKey"]!.GetValue<string>();
    }

    public static async Task<string> StoredTestOutcome(this HttpClient client, Guid id)
    {
        var response = await client.PostAsync($"/v1/credentials/{id}/test", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJson())["outcome"]!.GetValue<string>();
    }

    public static async Task<RewrapCounts> Rewrap(this HttpClient admin)
    {
        var response = await admin.PostAsync("/v1/admin/rewrap", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJson();
        return new RewrapCounts(body["scanned"]!.GetValue<int>(), body["rewrapped"]!.GetValue<int>(), body["failed"]!.GetValue<int>());
    }

    public static async Task<(HttpStatusCode Status, JsonNode Body)> Readiness(this ServiceHost host)
    {
        var response = await host.CreateClient().GetAsync("/health/ready");
        return (response.StatusCode, await response.ReadJson());
    }
}

/// <summary>Each test gets a <see cref="KeyRingWorld"/> of its own: a database, two fakes, and the hosts it starts.</summary>
public abstract class KeyRingTest : IsolatedServiceTest
{
    protected KeyRingWorld World { get; private set; } = null!;

    protected override string DatabasePrefix => "keys";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        World = new KeyRingWorld(ConnectionString, Us, Eu, (settings, environment) => StartHost(settings, environment));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        World?.DeleteCertificates();
    }

    protected static string NewTenant() => SharedService.NewTenant();

    protected static string NewKey() => SharedService.NewKey();

    /// <summary>A token with only the admin scope, from a tenant that owns no credential: rewrap works across tenants.</summary>
    protected static HttpClient AdminOf(ServiceHost host) => host.ClientFor(NewTenant(), "credentials:admin");
}

/// <summary>The body of <c>POST /v1/admin/rewrap</c>.</summary>
public sealed record RewrapCounts(int Scanned, int Rewrapped, int Failed);
