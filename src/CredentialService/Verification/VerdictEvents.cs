using CredentialService.Audit;
using CredentialService.ConnectionTests;
using CredentialService.Credentials;
using CredentialService.Data;
using CredentialService.Infrastructure.Auth;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace CredentialService.Verification;

/// <summary>
/// Stores a stored credential's verdict the same way whoever tested it (a person or the scheduler): <c>lastTest</c>,
/// a <c>tested</c> event, and a <c>verdict_changed</c> event when the outcome differs from the previous verdict's.
/// </summary>
public static class VerdictEvents
{
    /// <summary>
    /// Writes the verdict of a test of <paramref name="read"/> as one statement (one round trip, one durable commit):
    /// the credential's <c>lastTest</c> (with a lazily <paramref name="rewrapped"/> key and the scheduler's
    /// <paramref name="nextVerificationAt"/>, when given) only if the row is still at the version that was read, and
    /// its events. If the credential changed meanwhile (a new key or region: the verdict is about the old one) or is
    /// gone, lastTest is not overwritten and no verdict_changed is claimed; the tested event, which records what
    /// happened, is written anyway. Returns the row's new version, or null when it was not updated.
    /// </summary>
    public static async Task<long?> SaveAsync(
        CredentialsDbContext db, StoredKey read, Caller caller, TestResult result, TimeProvider time,
        byte[]? rewrapped = null, DateTime? nextVerificationAt = null)
    {
        var at = time.UtcNowForDatabase();
        var lastTest = CredentialConfiguration.LastTestJson(result);
        var tested = CredentialEventConfiguration.DetailJson(new EventDetail(Region: result.Region, Outcome: result.Outcome));
        // No previous verdict (never tested, or cleared by a new key or region) is not a change of verdict.
        var changed = read.LastOutcome is { } previous && previous != result.Outcome
            ? CredentialEventConfiguration.DetailJson(new EventDetail(Region: result.Region, From: previous, To: result.Outcome))
            : null;

        // Customer.io has answered: the verdict and its events are written even if the caller hangs up now (the
        // statement's own timeout still bounds it), so the trail records every test that reached Customer.io.
        // Positional, typed parameters (nulls included): Npgsql then prepares the statement after a few calls
        // (Max Auto Prepare) instead of Postgres parsing and planning it on every verdict.
        await db.Database.OpenConnectionAsync(CancellationToken.None);
        try
        {
            await using var command = new NpgsqlCommand(Sql, (NpgsqlConnection)db.Database.GetDbConnection());
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = read.Id });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = read.TenantId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = read.Version });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = lastTest });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = (object?)rewrapped ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)nextVerificationAt ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlDbType.TimestampTz, TypedValue = at });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = caller.Actor });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = tested });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)changed ?? DBNull.Value });
            await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
            return await reader.ReadAsync(CancellationToken.None) ? reader.GetInt64(0) : null;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    // One INSERT of both events, in this order (their ids order the trail); verdict_changed only with the update.
    // $1 id, $2 tenant, $3 version read, $4 lastTest, $5 rewrapped key or null, $6 next due time or null, $7 at,
    // $8 actor, $9 the tested event's detail, $10 the verdict_changed event's detail or null.
    private static readonly string Sql = $"""
        WITH updated AS (
            UPDATE credentials
               SET last_test = $4,
                   app_api_key_ciphertext = coalesce($5, app_api_key_ciphertext),
                   next_verification_at = coalesce($6, next_verification_at)
             WHERE id = $1 AND tenant_id = $2 AND version = $3
            RETURNING version
        ), events AS (
            INSERT INTO credential_events (tenant_id, credential_id, at, action, actor, detail)
            SELECT $2, $1, $7, '{AuditAction.Tested}', $8, $9
            UNION ALL
            SELECT $2, $1, $7, '{AuditAction.VerdictChanged}', $8, $10 FROM updated WHERE $10 IS NOT NULL
        )
        SELECT version FROM updated
        """;
}
