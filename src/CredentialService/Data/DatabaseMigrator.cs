using CredentialService.KeyCustody;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialService.Data;

/// <summary>
/// Applies migrations before the service takes traffic (switch: <c>Database:MigrateOnStartup</c>), then makes sure
/// the key ring has a key and a canary. Both run under one Postgres advisory lock, so instances starting together
/// on an empty database create one data-protection key between them, not one each (a key created by another
/// instance with immediate activation would stay unknown to this one until its key-ring cache expires).
/// </summary>
internal sealed class DatabaseMigrator(IServiceProvider services, IOptions<DatabaseOptions> options) : IHostedService
{
    private const long StartupLockId = 0x4372_6564_5376_63; // "CredSvc"

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialsDbContext>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({StartupLockId})", cancellationToken);
            if (options.Value.MigrateOnStartup)
            {
                // Building an index over a large table takes longer than any request may.
                await db.Database.ExecuteSqlRawAsync("SET statement_timeout = 0", cancellationToken);
                db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
                try
                {
                    await db.Database.MigrateAsync(cancellationToken);
                }
                finally
                {
                    db.Database.SetCommandTimeout(null);
                    await db.Database.ExecuteSqlRawAsync("RESET statement_timeout", CancellationToken.None);
                }
            }

            await scope.ServiceProvider.GetRequiredService<KeyRingCanaryStore>().EnsureAsync(cancellationToken);
        }
        finally
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({StartupLockId})", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
