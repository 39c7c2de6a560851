using CredentialService.Credentials;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace CredentialService.Data;

public sealed class DatabaseOptions
{
    public bool MigrateOnStartup { get; set; } = true;
}

public static class DatabaseSetup
{
    public const string ConnectionStringName = "Credentials";

    /// <summary>
    /// EF Core logs every failed command, save, query, transaction and connection as an Error before the exception
    /// reaches the code that knows what it means. Each failure is logged once, there: a request's by
    /// KnownExceptionHandler (the tenant maximum's 409 not at all, an outage's 503 and a timeout's 504 as warnings,
    /// anything unexpected as an Error with the exception), a background loop's by the loop. EF's own lines are Debug.
    /// </summary>
    private static readonly (EventId, LogLevel)[] FailureEvents =
    [
        (RelationalEventId.CommandError, LogLevel.Debug),
        (CoreEventId.SaveChangesFailed, LogLevel.Debug),
        (CoreEventId.QueryIterationFailed, LogLevel.Debug),
        (RelationalEventId.TransactionError, LogLevel.Debug),
        (RelationalEventId.ConnectionError, LogLevel.Debug),
    ];

    public static IHostApplicationBuilder AddCredentialsDatabase(this IHostApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(
                $"The setting 'ConnectionStrings:{ConnectionStringName}' (environment variable " +
                $"ConnectionStrings__{ConnectionStringName}) is required: a PostgreSQL connection string.");
        }

        // The per-tenant maximum travels with every connection, for the trigger that enforces it (CredentialLimits).
        var maxPerTenant = builder.Configuration.GetValue("Credentials:MaxPerTenant", new CredentialLimitsOptions().MaxPerTenant);
        var connectionString = WithServiceDefaults(configured, maxPerTenant);
        builder.Services.AddDbContextPool<CredentialsDbContext>(o => o
            .UseNpgsql(connectionString)
            .UseSnakeCaseNamingConvention()
            .ConfigureWarnings(w => w.Log(FailureEvents)));

        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration("Database");
        builder.Services.AddHostedService<DatabaseMigrator>();
        return builder;
    }

    /// <summary>
    /// Defaults an operator may override in the connection string. While Postgres is down a request must fail
    /// within seconds with a 503, not hang: bounded connect and command waits. On the hot paths the same few
    /// statements run over and over: prepare them automatically, and skip the session reset (DISCARD ALL) when a
    /// connection goes back to the pool, since this service leaves no session state behind.
    /// </summary>
    private static string WithServiceDefaults(string connectionString, int maxCredentialsPerTenant)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        bool Has(string key) => given.ContainsKey(key) || given.ContainsKey(key.Replace(" ", "", StringComparison.Ordinal));

        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Has("Timeout")) csb.Timeout = 3;
        if (!Has("Command Timeout")) csb.CommandTimeout = 10;
        if (!Has("Cancellation Timeout")) csb.CancellationTimeout = 2000;
        if (!Has("Max Auto Prepare")) csb.MaxAutoPrepare = 32;
        if (!Has("No Reset On Close")) csb.NoResetOnClose = true;
        // A statement that runs too long is stopped by the server a second before the client would give up on it:
        // the server's "canceling statement due to statement timeout" (a 504) is then told apart from a database
        // that does not answer at all (a 503). The migrator lifts it for its own session.
        if (csb.CommandTimeout > 1 && csb.Options?.Contains("statement_timeout", StringComparison.Ordinal) != true)
        {
            csb.Options = $"{csb.Options} -c statement_timeout={(csb.CommandTimeout - 1) * 1000}".Trim();
        }

        csb.Options = $"{csb.Options} -c {CredentialLimits.Setting}={maxCredentialsPerTenant}".Trim();
        return csb.ConnectionString;
    }
}
