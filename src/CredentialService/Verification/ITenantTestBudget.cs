namespace CredentialService.Verification;

/// <summary>
/// Whether the scheduler may spend one of a tenant's connection tests now. The scheduler yields to people: a false
/// answer defers the credential by a second or two, it is never an error.
/// </summary>
public interface ITenantTestBudget
{
    ValueTask<bool> TryTakeAsync(string tenantId, CancellationToken ct);
}
