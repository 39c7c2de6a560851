using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CredentialService.Infrastructure.Telemetry;

public static class TelemetrySetup
{
    /// <summary>
    /// OpenTelemetry traces (incoming requests, Customer.io calls, Npgsql commands; on with OTLP, or with
    /// <c>Telemetry:Tracing:Enabled=true</c>) and metrics (ASP.NET Core, HttpClient, runtime, this service's meter).
    /// OTLP export is on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set;
    /// a Prometheus scrape endpoint is at <c>/metrics</c> unless <c>Metrics:Prometheus:Enabled=false</c>.
    /// Logs carry trace and span ids, and data classified as secret is erased by the redactor.
    /// </summary>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ServiceMetrics>();

        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.Logging.EnableRedaction();
        builder.Services.AddRedaction(r => r.SetRedactor<ErasingRedactor>(new DataClassificationSet(SecretData.Classification)));

        var prometheus = PrometheusEnabled(builder.Configuration);
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("credential-service"));
        // Spans cost about 12 % of a list request's CPU (docs/performance.md): record them only when they go somewhere.
        if (builder.Configuration.GetValue("Telemetry:Tracing:Enabled", defaultValue: otlp))
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsInfrastructurePath(context.Request.Path))
                // OpenTelemetry writes traceparent/baggage into outgoing requests itself: take them out again, our
                // trace ids are none of Customer.io's business (the handler's own propagator sends none either).
                .AddHttpClientInstrumentation(o => o.EnrichWithHttpRequestMessage = (_, request) => DropTraceContext(request))
                .AddNpgsql());
        }

        telemetry.WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(ServiceMetrics.MeterName);
                if (prometheus) metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            });
        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>Unauthenticated like the health endpoints: keep it on an internal network (see README, Operating).</summary>
    public static WebApplication MapTelemetry(this WebApplication app)
    {
        if (PrometheusEnabled(app.Configuration))
        {
            app.MapPrometheusScrapingEndpoint("/metrics");
        }

        return app;
    }

    private static readonly string[] TraceContextHeaders = ["traceparent", "tracestate", "baggage", "Request-Id", "Correlation-Context"];

    private static void DropTraceContext(HttpRequestMessage request)
    {
        foreach (var header in TraceContextHeaders) request.Headers.Remove(header);
    }

    private static bool PrometheusEnabled(IConfiguration configuration) =>
        configuration.GetValue("Metrics:Prometheus:Enabled", defaultValue: true);

    private static bool IsInfrastructurePath(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/health");
}
