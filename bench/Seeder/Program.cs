using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using CredentialService.Credentials;
using CredentialService.Data;
using CredentialService.KeyCustody;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace CredentialService.Bench.Seeder;

/// <summary>
/// Seeds the credentials table for the benchmark with real DataProtection ciphertexts, fast:
/// keys are protected in parallel (every core) while the previous chunk streams into Postgres through one binary COPY.
///
///   Seeder [--rows 1000000] [--tenants 100] [--tenant-prefix bench-tenant-] [--step-ms 30000] [--chunk 20000]
///
/// Configuration is the service's own (environment variables): ConnectionStrings__Credentials and DataProtection__*.
/// Run it after the service has started once against the database (migrations applied, key ring created): the seeder
/// uses that key ring and never creates a key of its own.
/// </summary>
internal static class Program
{
    private const string CopyCommand =
        "COPY credentials (id, tenant_id, type, name, description, region, app_api_key_ciphertext, " +
        "app_api_key_last4, last_test, created_at, updated_at) FROM STDIN (FORMAT BINARY)";

    public static async Task<int> Main(string[] args)
    {
        var options = SeedOptions.Parse(args);

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddCredentialsDatabase(); // the same DbContext (and so the same key-ring table) as the service
        builder.AddKeyRing();             // the same application name and certificate as the service
        using var host = builder.Build(); // never started: the service's migrator and hosted services do not run here

        var connectionString = builder.Configuration.GetConnectionString(DatabaseSetup.ConnectionStringName)!;
        await using var dataSource = NpgsqlDataSource.Create(connectionString);

        await using (var check = dataSource.CreateCommand("SELECT count(*) FROM data_protection_keys"))
        {
            if ((long)(await check.ExecuteScalarAsync())! == 0)
            {
                await Console.Error.WriteLineAsync(
                    "The key ring is empty: start the service once against this database before seeding.");
                return 2;
            }
        }

        var protector = host.Services.GetRequiredService<AppApiKeyProtector>();
        var generator = new RowGenerator(options, protector);
        generator.Build(0, 1); // loads the key ring once, outside the timings

        var total = Stopwatch.StartNew();
        var protectTime = TimeSpan.Zero;
        await using var connection = await dataSource.OpenConnectionAsync();
        await using (var importer = await connection.BeginBinaryImportAsync(CopyCommand))
        {
            var chunks = (options.Rows + options.Chunk - 1) / options.Chunk;
            var next = Task.Run(() => generator.Build(0, Math.Min(options.Chunk, options.Rows)));
            for (var chunk = 0; chunk < chunks; chunk++)
            {
                var built = await next;
                protectTime += built.Elapsed;
                var start = (chunk + 1) * options.Chunk;
                if (chunk + 1 < chunks)
                {
                    next = Task.Run(() => generator.Build(start, Math.Min(options.Chunk, options.Rows - start)));
                }

                foreach (var row in built.Rows)
                {
                    await WriteAsync(importer, row);
                }

                var done = (long)Math.Min(start, options.Rows);
                if (done % 100_000 == 0 || done == options.Rows)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {done,9:N0} rows  {total.Elapsed.TotalSeconds,6:F1} s"));
                }
            }

            await importer.CompleteAsync();
        }

        total.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SEED rows={options.Rows} tenants={options.Tenants} seconds={total.Elapsed.TotalSeconds:F1} " +
            $"protect_wall_seconds={protectTime.TotalSeconds:F1} workers={Environment.ProcessorCount} " +
            $"rows_per_second={options.Rows / total.Elapsed.TotalSeconds:F0}"));
        return 0;
    }

    private static async Task WriteAsync(NpgsqlBinaryImporter importer, SeedRow row)
    {
        await importer.StartRowAsync();
        await importer.WriteAsync(row.Id, NpgsqlDbType.Uuid);
        await importer.WriteAsync(row.TenantId, NpgsqlDbType.Varchar);
        await importer.WriteAsync(Credential.CustomerIoType, NpgsqlDbType.Varchar);
        await importer.WriteAsync(row.Name, NpgsqlDbType.Varchar);
        if (row.Description is null)
        {
            await importer.WriteNullAsync();
        }
        else
        {
            await importer.WriteAsync(row.Description, NpgsqlDbType.Varchar);
        }

        await importer.WriteAsync(row.Region, NpgsqlDbType.Varchar);
        await importer.WriteAsync(row.Ciphertext, NpgsqlDbType.Bytea);
        await importer.WriteAsync(row.Last4, NpgsqlDbType.Varchar);
        await importer.WriteNullAsync(); // last_test: never tested
        await importer.WriteAsync(row.At, NpgsqlDbType.TimestampTz);
        await importer.WriteAsync(row.At, NpgsqlDbType.TimestampTz);
    }
}

internal sealed record SeedOptions(int Rows, int Tenants, string TenantPrefix, int StepMs, int Chunk)
{
    public static SeedOptions Parse(string[] args)
    {
        var o = new SeedOptions(1_000_000, 100, "bench-tenant-", 30_000, 20_000);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            o = args[i] switch
            {
                "--rows" => o with { Rows = int.Parse(value, CultureInfo.InvariantCulture) },
                "--tenants" => o with { Tenants = int.Parse(value, CultureInfo.InvariantCulture) },
                "--tenant-prefix" => o with { TenantPrefix = value },
                "--step-ms" => o with { StepMs = int.Parse(value, CultureInfo.InvariantCulture) },
                "--chunk" => o with { Chunk = int.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return o;
    }
}

internal sealed record SeedRow(
    Guid Id, string TenantId, string Name, string? Description, string Region, byte[] Ciphertext, string Last4, DateTime At);

internal sealed record BuiltChunk(SeedRow[] Rows, TimeSpan Elapsed);

/// <summary>
/// Row i belongs to tenant i mod T and was created at first + i * step (whole milliseconds), so UUIDv7 ids increase
/// with i and every tenant's rows interleave with the others' on disk, as they would after months of traffic.
/// </summary>
internal sealed class RowGenerator(SeedOptions options, AppApiKeyProtector protector)
{
    private readonly DateTimeOffset first = TruncateToMs(
        DateTimeOffset.UtcNow.AddHours(-1).AddMilliseconds(-(double)options.StepMs * options.Rows));

    private readonly string[] tenants = Enumerable.Range(0, options.Tenants)
        .Select(t => options.TenantPrefix + t.ToString("D3", CultureInfo.InvariantCulture))
        .ToArray();

    public BuiltChunk Build(int start, int count)
    {
        var watch = Stopwatch.StartNew();
        var rows = new SeedRow[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, j =>
        {
            var i = start + j;
            var at = first.AddMilliseconds((double)options.StepMs * i);
            var id = Guid.CreateVersion7(at);
            var tenant = tenants[i % tenants.Length];
            var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var appApiKey = AppApiKey.FromValidated(key);
            rows[j] = new SeedRow(
                id,
                tenant,
                string.Create(CultureInfo.InvariantCulture, $"Customer.io workspace {i}"),
                i % 3 == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"Nightly segment export #{i % 997}"),
                i % 5 == 0 ? Region.Eu : Region.Us,
                protector.Protect(appApiKey, tenant, id),
                appApiKey.Last4,
                at.UtcDateTime);
        });
        return new BuiltChunk(rows, watch.Elapsed);
    }

    private static DateTimeOffset TruncateToMs(DateTimeOffset t) =>
        new(t.Ticks - (t.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
