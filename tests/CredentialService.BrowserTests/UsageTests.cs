using System.Net;
using CredentialService.BrowserTests.Infrastructure;
using CredentialService.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CredentialService.BrowserTests;

/// <summary>Usages on the page: the count on each tile, the in-use warning when deleting, and the "broken" filter.</summary>
[Collection(BrowserGroup.Name)]
public sealed class UsageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Each_tile_shows_how_many_sources_and_destinations_use_it()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();
        var used = (await api.CreateAsync("Used twice", BrowserFixture.NewKey()))["id"]!.GetValue<Guid>();
        await api.CreateAsync("Unused", BrowserFixture.NewKey());
        await PutUsage(api, used, "src-4711", "source", "Segments, nightly");
        await PutUsage(api, used, "dst-9", "destination", "CRM sync");
        await page.ReloadAsync();

        await Expect(page.Tile("Used twice").Locator(".tile__usages")).ToHaveTextAsync("2 sources or destinations");
        await Expect(page.Tile("Unused").Locator(".tile__usages")).ToHaveTextAsync("Not in use");
        await page.CloseAsync();
    }

    [Fact]
    public async Task Deleting_a_credential_in_use_names_its_usages_and_deletes_only_when_forced()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();
        var id = (await api.CreateAsync("Busy", BrowserFixture.NewKey()))["id"]!.GetValue<Guid>();
        await PutUsage(api, id, "src-4711", "source", "Segments, nightly");
        await page.ReloadAsync();

        await page.Tile("Busy").TileButton("Delete").ClickAsync();
        var confirm = page.GetByRole(AriaRole.Alertdialog, new() { Name = "Delete “Busy”?" });
        var warning = confirm.Locator("#delete-usages");
        await Expect(warning).ToContainTextAsync("in use by 1 source or destination");
        await Expect(warning.Locator("li")).ToHaveTextAsync("Source “Segments, nightly” (src-4711)");

        // Without the choice to force, the service refuses and the credential stays.
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(confirm.Locator("#delete-problem")).ToContainTextAsync("in use and was not deleted");
        await api.GetJson($"/v1/credentials/{id}");

        await confirm.GetByLabel("Delete it anyway, together with its usages").CheckAsync();
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(page.Tile("Busy")).ToHaveCountAsync(0);
        await api.GetJson($"/v1/credentials/{id}", HttpStatusCode.NotFound);
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_usage_added_after_the_page_loaded_stops_the_delete_and_the_reloaded_tile_warns()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();
        var id = (await api.CreateAsync("Newly used", BrowserFixture.NewKey()))["id"]!.GetValue<Guid>();
        await page.ReloadAsync();
        await PutUsage(api, id, "dst-1", "destination", "Warehouse");

        await page.Tile("Newly used").TileButton("Delete").ClickAsync();
        var confirm = page.GetByRole(AriaRole.Alertdialog, new() { Name = "Delete “Newly used”?" });
        await Expect(confirm.Locator("#delete-usages")).ToBeHiddenAsync(); // the page believed it unused
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();

        // A usage changes the credential's version: the delete's If-Match no longer matches, nothing is deleted.
        await Expect(page.Locator("#banner")).ToContainTextAsync("was not deleted");
        await Expect(page.Tile("Newly used").Locator(".tile__usages")).ToHaveTextAsync("1 source or destination");
        await page.Tile("Newly used").TileButton("Delete").ClickAsync();
        await Expect(confirm.Locator("#delete-usages li")).ToHaveTextAsync("Destination “Warehouse” (dst-1)");
        await api.GetJson($"/v1/credentials/{id}");
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_broken_filter_lists_only_credentials_whose_key_was_rejected_and_ok_verdicts_name_the_workspace()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();
        var works = (await api.CreateAsync("Works", fixture.NewUsKey()))["id"]!.GetValue<Guid>();
        var broken = (await api.CreateAsync("Broken", BrowserFixture.NewKey()))["id"]!.GetValue<Guid>();
        await api.CreateAsync("Never tested", BrowserFixture.NewKey());
        foreach (var id in new[] { works, broken })
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/v1/credentials/{id}/test", null)).StatusCode);
        await page.ReloadAsync();
        var tiles = page.Locator("[data-credential-id]");
        await Expect(tiles).ToHaveCountAsync(3);
        await Expect(page.Tile("Works").Locator(".verdict-workspace")).ToContainTextAsync(FakeCustomerIo.FakeReply.WorkspaceName);

        await page.GetByLabel("Last test").SelectOptionAsync(new SelectOptionValue { Label = "Broken: key rejected" });
        await Expect(tiles).ToHaveCountAsync(1);
        await Expect(page.Tile("Broken")).ToBeVisibleAsync();

        await page.GetByLabel("Last test").SelectOptionAsync(new SelectOptionValue { Label = "Not tested yet" });
        await Expect(tiles).ToHaveCountAsync(1);
        await Expect(page.Tile("Never tested")).ToBeVisibleAsync();
        await page.CloseAsync();
    }

    private static async Task PutUsage(HttpClient api, Guid id, string usageId, string kind, string name)
    {
        var response = await api.PutAsync($"/v1/credentials/{id}/usages/{usageId}", Api.Json(new { kind, name }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
