namespace CredentialService.Credentials;

internal static partial class CredentialLog
{
    /// <summary>The request's properties become log fields; the key, classified <c>[SecretData]</c>, is erased.</summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "Create credential requested")]
    public static partial void CreateRequested(ILogger logger, [LogProperties] CreateCredentialRequest request);
}
