namespace CredentialService.Verification;

public static class VerificationSetup
{
    /// <summary>Scheduled verification of every stored credential, and the gauge of credentials by last outcome.</summary>
    public static IHostApplicationBuilder AddVerification(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<VerificationOptions>().BindConfiguration(VerificationOptions.Section)
            .Validate(VerificationOptions.IsValid,
                "Verification:IntervalHours must be between 0 (off) and 8784, and Verification:TestsPerSecond between 0 (exclusive) and 100.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ITenantTestBudget, SharedTestBudget>();
        builder.Services.AddHostedService<VerificationScheduler>();
        builder.Services.AddHostedService<VerdictGauge>();
        return builder;
    }
}
