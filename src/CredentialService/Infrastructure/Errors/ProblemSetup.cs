using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CredentialService.Infrastructure.Errors;

public static class ProblemSetup
{
    public const long MaxRequestBodyBytes = 64 * 1024;

    /// <summary>RFC 9457 problem details for every error, each carrying the trace id a user can quote.</summary>
    public static IHostApplicationBuilder AddProblemResponses(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
            ctx.ProblemDetails.Extensions["traceId"] = Activity.Current?.Id ?? ctx.HttpContext.TraceIdentifier);
        builder.Services.AddExceptionHandler<KnownExceptionHandler>();

        // Binding failures (malformed JSON, wrong types, unknown fields, wrong content type) become exceptions that
        // KnownExceptionHandler turns into problems naming the field, in every environment.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        return builder;
    }

    /// <summary>
    /// The one shape of a refusal by a rate limit, whichever limit refused: <paramref name="problem"/> with status 429,
    /// and a <c>Retry-After</c> header of whole seconds.
    /// </summary>
    public static ProblemHttpResult TooManyRequests(HttpContext http, ProblemDetails problem, int retryAfterSeconds)
    {
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        problem.Status = StatusCodes.Status429TooManyRequests;
        return TypedResults.Problem(problem);
    }

    public static WebApplication UseProblemResponses(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Kestrel enforces the limit while reading; this answers early (and under any server) when the length is declared.
        app.Use((context, next) =>
        {
            // An endpoint with a size limit of its own (the proxy) answers its own 413.
            if (context.Request.ContentLength > MaxRequestBodyBytes
                && context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>() is null)
            {
                throw new Microsoft.AspNetCore.Http.BadHttpRequestException(
                    $"The request body is larger than {MaxRequestBodyBytes / 1024} KiB.", StatusCodes.Status413PayloadTooLarge);
            }

            return next(context);
        });
        return app;
    }
}
