using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests.Usages;

/// <summary>An ok verdict names the workspaces the key opens; any other verdict or body shape gives null.</summary>
[Collection(SharedServiceGroup.Name)]
public sealed class WorkspacesTests(SharedService service)
{
    [Fact]
    public async Task An_ok_verdict_carries_the_workspaces_with_string_ids_and_is_stored_as_lastTest()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var key = SharedService.NewKey();
        service.Us.Respond(key, FakeReply.Ok("Marketing (prod)", 114022));
        var id = (await client.CreateCredential(key))["id"]!.GetValue<Guid>();

        var result = await (await client.PostAsync($"/v1/credentials/{id}/test", null)).ReadJson();
        Assert.Equal("ok", result["outcome"]!.GetValue<string>());
        var workspace = Assert.Single(result["workspaces"]!.AsArray())!;
        Assert.Equal("114022", workspace["id"]!.GetValue<string>());
        Assert.Equal("Marketing (prod)", workspace["name"]!.GetValue<string>());

        var stored = (await client.GetJson($"/v1/credentials/{id}"))["lastTest"]!["workspaces"]!.AsArray();
        Assert.Equal("Marketing (prod)", stored[0]!["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"workspaces":[{"id":"ws_a","name":"A"},{"id":7,"name":"B"}]}""", "ws_a|A,7|B")]
    [InlineData("""{"workspaces":[]}""", "")]
    [InlineData("""{"workspaces":{"id":1,"name":"A"}}""", null)]
    [InlineData("""{"workspaces":[{"id":1}]}""", null)]
    [InlineData("""{"workspaces":[{"id":true,"name":"A"}]}""", null)]
    [InlineData("""{"data":[]}""", null)]
    [InlineData("""[1,2]""", null)]
    [InlineData("""<html>ok</html>""", null)]
    [InlineData("", null)]
    public async Task The_workspaces_body_is_read_defensively(string body, string? expected)
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var key = SharedService.NewKey();
        service.Us.Respond(key, new FakeReply(200, body));

        var result = await (await client.PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = key }))).ReadJson();
        Assert.Equal("ok", result["outcome"]!.GetValue<string>());
        var workspaces = result["workspaces"]?.AsArray();
        Assert.Equal(expected, workspaces is null ? null
            : string.Join(",", workspaces.Select(w => $"{w!["id"]!.GetValue<string>()}|{w["name"]!.GetValue<string>()}")));
    }

    [Fact]
    public async Task At_most_20_workspaces_are_listed()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var key = SharedService.NewKey();
        var many = string.Join(",", Enumerable.Range(1, 25).Select(i => $$"""{"id":{{i}},"name":"W{{i}}"}"""));
        service.Us.Respond(key, new FakeReply(200, $$"""{"workspaces":[{{many}}]}"""));

        var result = await (await client.PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = key }))).ReadJson();
        Assert.Equal(20, result["workspaces"]!.AsArray().Count);
    }

    [Fact]
    public async Task Verdicts_other_than_ok_have_null_workspaces_even_when_the_other_region_lists_them()
    {
        var client = service.Host.ClientFor(SharedService.NewTenant());
        var invalid = SharedService.NewKey();
        var euKey = SharedService.NewKey();
        service.Eu.Respond(euKey, FakeReply.Ok());

        foreach (var key in new[] { invalid, euKey })
        {
            var result = await (await client.PostAsync("/v1/credentials/test", Api.Json(new { appApiKey = key }))).ReadJson();
            Assert.NotEqual("ok", result["outcome"]!.GetValue<string>());
            Assert.True(result.AsObject().ContainsKey("workspaces"));
            Assert.Null(result["workspaces"]);
        }
    }
}
