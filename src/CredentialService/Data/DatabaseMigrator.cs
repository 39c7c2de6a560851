using CredentialService.KeyCustody;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialService.Data;

/// <summary>
/// Applies migrations before the service takes traffic (switch: <c>Database:MigrateOnStartup</c>), then makes sure
/// the key ring has a key and a canary, so that several instances starting together agree on one ring.
/// </summary>
internal sealed class DatabaseMigrator(
    IServiceProvider services,
    IOptions<DatabaseOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialsDbContext>();
        if (options.Value.MigrateOnStartup)
        {
            // Takes EF's migration lock, so instances starting together apply each migration once.
            await db.Database.MigrateAsync(cancellationToken);
        }

        await scope.ServiceProvider.GetRequiredService<KeyRingCanaryStore>().EnsureAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
