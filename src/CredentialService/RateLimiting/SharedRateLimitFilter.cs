using CredentialService.Infrastructure.Errors;
using Microsoft.AspNetCore.Mvc;

namespace CredentialService.RateLimiting;

/// <summary>
/// What an endpoint's shared limit is: which bucket a request draws from, at what rate, how long it may queue,
/// and the problem a refused caller reads. Register it as a singleton and put it on endpoints with
/// <see cref="SharedRateLimitEndpoints.RequireSharedRateLimit{TPolicy, TBuilder}"/>.
/// </summary>
public interface ISharedRateLimitPolicy
{
    /// <summary>The bucket of this request, or null when the request is not limited (e.g. no tenant).</summary>
    (string BucketKey, RateLimit Limit, TimeSpan MaxWait)? BucketFor(HttpContext context);

    /// <summary>The 429 problem for a refused request; status and <c>Retry-After</c> are set by <see cref="ProblemSetup.TooManyRequests"/>.</summary>
    ProblemDetails Refused(HttpContext context, RateLimit limit, int retryAfterSeconds);

    /// <summary>Whether this instance may take the bucket's slots a batch at a time (<see cref="LocalSlotBatches"/>).</summary>
    bool BatchesLocally => false;
}

public static class SharedRateLimitEndpoints
{
    /// <summary>Limits the endpoints with <typeparamref name="TPolicy"/>: a 429 problem with Retry-After when refused.</summary>
    public static TBuilder RequireSharedRateLimit<TPolicy, TBuilder>(this TBuilder builder)
        where TPolicy : ISharedRateLimitPolicy
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var policy = http.RequestServices.GetRequiredService<TPolicy>();
            if (policy.BucketFor(http) is not var (key, limit, maxWait)) return await next(context);

            var decision = await http.RequestServices.GetRequiredService<SharedRateLimiter>()
                .AcquireAndWaitAsync(key, limit, maxWait, http.RequestAborted, policy.BatchesLocally);
            if (decision.Granted) return await next(context);

            return ProblemSetup.TooManyRequests(http, policy.Refused(http, limit, decision.RetryAfterSeconds), decision.RetryAfterSeconds);
        });
}
