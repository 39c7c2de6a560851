using CredentialService.ConnectionTests;

namespace CredentialService.Tests;

/// <summary>
/// <c>CustomerIo:*</c> without any configuration (appsettings.json repeats these values; a deployment that drops it
/// must still test against the real hosts and probe the other region), and how a base URL becomes request URLs.
/// </summary>
public sealed class CustomerIoOptionsTests
{
    [Fact]
    public void Without_configuration_the_regions_are_the_real_hosts_and_the_other_region_is_probed()
    {
        var options = new CustomerIoOptions();

        Assert.Equal(new Uri("https://api.customer.io/"), options.BaseUrl("us"));
        Assert.Equal(new Uri("https://api-eu.customer.io/"), options.BaseUrl("EU")); // region codes in any case
        Assert.True(options.ProbeOtherRegion);
        Assert.Equal(10, options.TimeoutSeconds);
        Assert.False(options.AllowPlainHttp);
    }

    [Theory]
    [InlineData("https://gateway.example/customer-io")]
    [InlineData("https://gateway.example/customer-io/")]
    [InlineData("https://gateway.example/customer-io//")]
    public void A_base_url_with_a_path_keeps_it_in_front_of_every_request_path(string configured)
    {
        var options = new CustomerIoOptions();
        options.Regions["us"].BaseUrl = configured;

        Assert.Equal(new Uri("https://gateway.example/customer-io/v1/workspaces"), new Uri(options.BaseUrl("us"), "v1/workspaces"));
    }
}
