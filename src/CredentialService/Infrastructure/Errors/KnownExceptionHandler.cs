using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using CredentialService.Infrastructure.Telemetry;
using CredentialService.KeyCustody;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace CredentialService.Infrastructure.Errors;

/// <summary>Turns the exceptions the service expects into problem responses; anything else is a 500 with a trace id only.</summary>
internal sealed partial class KnownExceptionHandler(
    IProblemDetailsService problems, ServiceMetrics metrics, ILogger<KnownExceptionHandler> logger)
    : IExceptionHandler
{
    public const int DatabaseRetryAfterSeconds = 5;
    public const string UnexpectedErrorTitle = "An unexpected error occurred.";

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        switch (exception)
        {
            case BadHttpRequestException { InnerException: JsonException json } bad:
                problem = new HttpValidationProblemDetails(JsonErrors(json)) { Status = bad.StatusCode };
                break;
            case BadHttpRequestException bad when UnboundParameter().Match(bad.Message) is { Success: true } unbound:
                problem = new HttpValidationProblemDetails(new Dictionary<string, string[]>
                {
                    [unbound.Groups["name"].Value] = [$"'{unbound.Groups["name"].Value}' has an invalid value."],
                })
                { Status = bad.StatusCode };
                break;
            case BadHttpRequestException bad:
                problem = new ProblemDetails { Status = bad.StatusCode, Detail = BadRequestDetail(bad) };
                break;
            case CredentialUndecryptableException undecryptable:
                LogUndecryptable(logger, undecryptable.CredentialId, undecryptable.InnerException?.Message);
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status409Conflict,
                    Type = "https://credential-service/problems/credential-undecryptable",
                    Title = "The stored App API Key cannot be decrypted",
                    Detail = $"Credential {undecryptable.CredentialId} was encrypted with a data-protection key that this " +
                             "instance does not have. This is not a problem with the Customer.io key. If a data-protection " +
                             "key was revoked or created recently, restart this instance so it reloads the key ring; if the " +
                             "key ring or its certificate was lost, restore it, or send the key again with PATCH appApiKey.",
                };
                break;
            case var ex when IsStatementTimeout(ex) && !context.RequestAborted.IsCancellationRequested:
                LogStatementTimeout(logger, context.Request.Method, context.GetEndpoint()?.DisplayName);
                metrics.QueryTimedOut();
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status504GatewayTimeout,
                    Type = "https://credential-service/problems/query-timeout",
                    Title = "The query took too long",
                    Detail = "The database stopped this request's query because it ran out of time. Narrow the request " +
                             "(e.g. a longer q, a region filter) or try again later.",
                };
                break;
            case Credentials.TenantCredentialLimitException limit:
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status409Conflict,
                    Type = "https://credential-service/problems/credential-limit-reached",
                    Title = "This tenant has as many credentials as it may have",
                    Detail = $"A tenant may store at most {limit.MaxPerTenant} credentials. Delete ones no longer used, " +
                             "or ask the operator to raise Credentials:MaxPerTenant.",
                };
                break;
            case var ex when IsDatabaseUnavailable(ex):
                LogDatabaseUnavailable(logger, ex.GetType().Name);
                metrics.DatabaseUnavailable();
                context.Response.Headers.RetryAfter = DatabaseRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "The database is unavailable",
                    Detail = $"Try again in {DatabaseRetryAfterSeconds} seconds.",
                };
                break;
            case OperationCanceledException when context.RequestAborted.IsCancellationRequested:
                return true; // the caller went away; nobody reads an answer
            default:
                LogUnexpected(logger, exception);
                // A 500 is a bug: say nothing but how to find it.
                problem = new ProblemDetails { Status = StatusCodes.Status500InternalServerError, Title = UnexpectedErrorTitle };
                break;
        }

        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    /// <summary>Errors keyed by the JSON field the path names, so a form can show each next to its field.</summary>
    private static Dictionary<string, string[]> JsonErrors(JsonException json)
    {
        var field = json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
        var message = field == "body"
            ? "The request body is not valid JSON."
            : json.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? $"'{field}' is not a field of this request."
                : $"'{field}' has the wrong JSON type or is malformed.";
        return new() { [field] = [message] };
    }

    private static string BadRequestDetail(BadHttpRequestException bad) => bad.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => $"The request body must be at most {ProblemSetup.MaxRequestBodyBytes / 1024} KiB.",
        StatusCodes.Status415UnsupportedMediaType => "The request body must be JSON (Content-Type: application/json).",
        _ when bad.Message.Contains("body was not provided", StringComparison.OrdinalIgnoreCase) => "A JSON request body is required.",
        _ => "The request is malformed.",
    };

    private static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case PostgresException pg:
                    // 08: connection exception, 53: insufficient resources, 57P: operator intervention (shutdown)
                    return pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                           || pg.SqlState.StartsWith("53", StringComparison.Ordinal)
                           || pg.SqlState.StartsWith("57P", StringComparison.Ordinal);
                case NpgsqlException { IsTransient: true }:
                case NpgsqlException { InnerException: SocketException or TimeoutException or IOException }:
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The server cancelled a statement that ran out of time (SQLSTATE 57014): the database answered, so this is not
    /// "unavailable". A client-side timeout (no answer at all) is still unavailable.
    /// </summary>
    private static bool IsStatementTimeout(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is PostgresException { SqlState: PostgresErrorCodes.QueryCanceled }) return true;
        }

        return false;
    }

    // Minimal APIs say e.g.: Failed to bind parameter "int? limit" from "abc".
    [GeneratedRegex("""^Failed to bind parameter "(?:[^"]* )?(?<name>[A-Za-z0-9_]+)" from""")]
    private static partial Regex UnboundParameter();

    [LoggerMessage(Level = LogLevel.Error, Message = "Credential {CredentialId} cannot be decrypted: {Reason}")]
    private static partial void LogUndecryptable(ILogger logger, Guid credentialId, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database unavailable ({ExceptionType}); answered 503")]
    private static partial void LogDatabaseUnavailable(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A database statement ran out of time ({Method} {Endpoint}); answered 504")]
    private static partial void LogStatementTimeout(ILogger logger, string method, string? endpoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);
}
