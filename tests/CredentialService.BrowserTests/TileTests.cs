using System.Net;
using System.Net.Http.Headers;
using CredentialService.BrowserTests.Infrastructure;
using CredentialService.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CredentialService.BrowserTests;

[Collection(BrowserGroup.Name)]
public sealed class TileTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Tiles_are_newest_first_with_load_more_search_and_region_filter()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();
        for (var i = 1; i <= 22; i++)
        {
            await api.CreateAsync($"Workspace {i:00}", BrowserFixture.NewKey(), region: i % 2 == 0 ? "eu" : "us",
                description: i == 7 ? "Nightly SEGMENT export" : null);
        }

        await page.ReloadAsync();
        var tiles = page.Locator("[data-credential-id]");
        await Expect(tiles).ToHaveCountAsync(20); // one page
        await Expect(tiles.First).ToContainTextAsync("Workspace 22");
        await page.GetByRole(AriaRole.Button, new() { Name = "Load more" }).ClickAsync();
        await Expect(tiles).ToHaveCountAsync(22);
        await Expect(tiles.Last).ToContainTextAsync("Workspace 01");
        await Expect(page.Tile("Workspace 02").GetByRole(AriaRole.Heading)).ToBeFocusedAsync(); // first of the new page
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Load more" })).ToBeHiddenAsync();

        await page.GetByLabel("Search").FillAsync("segment");
        await Expect(tiles).ToHaveCountAsync(1);
        await Expect(page.Tile("Workspace 07")).ToBeVisibleAsync();

        await page.GetByLabel("Search").FillAsync("");
        await page.GetByLabel("Region", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "api-eu.customer.io" });
        await Expect(tiles).ToHaveCountAsync(11);
        foreach (var domain in await page.Locator(".tile__domain").AllTextContentsAsync())
        {
            Assert.Equal("api-eu.customer.io", domain);
        }

        await page.GetByLabel("Search").FillAsync("no such thing");
        await Expect(page.Locator("#list-status")).ToHaveTextAsync("No credentials match this search.");
        await page.CloseAsync();
    }

    [Fact]
    public async Task Testing_from_the_tile_shows_the_verdict_with_its_time_and_a_later_edit_still_saves()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();
        await api.CreateAsync("Works", fixture.NewUsKey());
        await api.CreateAsync("Broken", BrowserFixture.NewKey());
        await page.ReloadAsync();

        var works = page.Tile("Works");
        await works.TileButton("Test").ClickAsync();
        await Expect(works.Locator(".tile__last-test .verdict")).ToHaveTextAsync("✓ Connection OK");
        await Expect(works.Locator(".tile__last-test time")).ToBeVisibleAsync();
        await Expect(works.Locator(".tile__message")).ToContainTextAsync("The key works");

        var broken = page.Tile("Broken");
        await broken.TileButton("Test").ClickAsync();
        await Expect(broken.Locator(".tile__last-test .verdict")).ToHaveTextAsync("✕ Invalid key");
        await Expect(broken.Locator(".tile__last-test")).ToContainTextAsync("tested ");

        // Storing the verdict changed the credential's version; the page read it again, so this edit is no 412.
        await works.TileButton("Edit").ClickAsync();
        var edit = page.Overlay("Edit “Works”");
        await edit.GetByLabel("Credential Description").FillAsync("Tested and described");
        await edit.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(edit).ToBeHiddenAsync();
        await Expect(works).ToContainTextAsync("Tested and described");
        await Expect(works.Locator(".tile__last-test .verdict")).ToHaveTextAsync("✓ Connection OK");

        // A reload shows what the service stored.
        await page.ReloadAsync();
        await Expect(page.Tile("Works").Locator(".tile__last-test .verdict")).ToHaveTextAsync("✓ Connection OK");
        await page.CloseAsync();
    }

    [Fact]
    public async Task Editing_name_description_and_region_saves_with_if_match()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();
        var created = await api.CreateAsync("Old name", fixture.NewUsKey(), description: "Old description");
        await page.ReloadAsync();
        string? ifMatch = null;
        page.Request += (_, r) =>
        {
            if (r.Method == "PATCH") ifMatch = r.Headers.GetValueOrDefault("if-match");
        };

        await page.Tile("Old name").TileButton("Edit").ClickAsync();
        var edit = page.Overlay("Edit “Old name”");
        await Expect(edit.GetByLabel("Credential Name")).ToHaveValueAsync("Old name");
        await edit.GetByLabel("Credential Name").FillAsync("New name");
        await edit.GetByLabel("Credential Description").FillAsync("");
        await edit.GetByLabel("API Region Domain").SelectOptionAsync(new SelectOptionValue { Label = "api-eu.customer.io" });
        await edit.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();

        var tile = page.Tile("New name");
        await Expect(tile).ToContainTextAsync("api-eu.customer.io");
        await Expect(tile).ToContainTextAsync("No description");
        Assert.Equal($"\"{created["version"]}\"", ifMatch);
        var stored = await api.GetJson($"/v1/credentials/{created["id"]}");
        Assert.Equal("New name", stored["name"]!.GetValue<string>());
        Assert.Null(stored["description"]);
        Assert.Equal("eu", stored["region"]!.GetValue<string>());
        await page.CloseAsync();
    }

    [Fact]
    public async Task Rotating_the_key_changes_the_last_four_and_never_shows_the_old_key()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();
        var oldKey = fixture.NewUsKey();
        var created = await api.CreateAsync("Rotated", oldKey);
        await page.ReloadAsync();
        var tile = page.Tile("Rotated");
        await Expect(tile.Locator(".tile__last4")).ToHaveTextAsync(oldKey[^4..]);

        await tile.TileButton("Rotate key").ClickAsync();
        var rotate = page.Overlay("Rotate App API Key of “Rotated”");
        await Expect(rotate.GetByLabel("New App API Key")).ToBeFocusedAsync();
        await Expect(rotate.GetByLabel("New App API Key")).ToHaveValueAsync("");
        await Expect(rotate.GetByLabel("New App API Key")).ToHaveAttributeAsync("type", "password");
        var newKey = fixture.NewUsKey();
        await rotate.GetByLabel("New App API Key").FillAsync(newKey);
        await rotate.GetByRole(AriaRole.Button, new() { Name = "Test new key" }).ClickAsync();
        await Expect(rotate.Locator(".verdict")).ToHaveTextAsync("✓ Connection OK");
        await rotate.GetByRole(AriaRole.Button, new() { Name = "Rotate key" }).ClickAsync();

        await Expect(rotate).ToBeHiddenAsync();
        await Expect(tile.Locator(".tile__last4")).ToHaveTextAsync(newKey[^4..]);
        var stored = await api.GetJson($"/v1/credentials/{created["id"]}");
        Assert.Equal(newKey[^4..], stored["appApiKeyLast4"]!.GetValue<string>());
        var html = await page.EvaluateAsync<string>("() => document.documentElement.outerHTML");
        Assert.DoesNotContain(oldKey, html);
        Assert.DoesNotContain(newKey, html);
        await page.CloseAsync();
    }

    [Fact]
    public async Task Delete_asks_for_confirmation_naming_the_credential()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();
        var created = await api.CreateAsync("Doomed", BrowserFixture.NewKey());
        await page.ReloadAsync();
        var tile = page.Tile("Doomed");

        await tile.TileButton("Delete").ClickAsync();
        var confirm = page.GetByRole(AriaRole.Alertdialog, new() { Name = "Delete “Doomed”?" });
        await Expect(confirm).ToContainTextAsync("“Doomed”");
        await Expect(confirm.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeFocusedAsync(); // the safe choice
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(confirm).ToBeHiddenAsync();
        await Expect(tile.TileButton("Delete")).ToBeFocusedAsync();
        await api.GetJson($"/v1/credentials/{created["id"]}");

        await tile.TileButton("Delete").ClickAsync();
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();

        await Expect(tile).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Add Credential" })).ToBeFocusedAsync(); // no tile left
        await api.GetJson($"/v1/credentials/{created["id"]}", HttpStatusCode.NotFound);
        await page.CloseAsync();
    }

    [Fact]
    public async Task Edit_after_someone_else_changed_the_credential_explains_the_412_and_shows_the_current_values()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();
        var created = await api.CreateAsync("Shared", BrowserFixture.NewKey());
        await page.ReloadAsync();
        await Expect(page.Tile("Shared")).ToBeVisibleAsync(); // the page has read it before it changes behind its back
        await ChangeBehindThePagesBackAsync(api, created, "Renamed elsewhere");

        await page.Tile("Shared").TileButton("Edit").ClickAsync();
        var edit = page.Overlay("Edit “Shared”");
        await edit.GetByLabel("Credential Description").FillAsync("My change");
        await edit.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();

        var problem = page.Locator("#edit-problem");
        await Expect(problem).ToContainTextAsync("Someone else changed this credential");
        await Expect(problem).ToBeFocusedAsync();
        var current = page.Overlay("Edit “Renamed elsewhere”");
        await Expect(current.GetByLabel("Credential Name")).ToHaveValueAsync("Renamed elsewhere");
        await Expect(page.Tile("Renamed elsewhere")).ToBeVisibleAsync();

        // Now informed, the person saves again: that one goes through, on top of the other change.
        await current.GetByLabel("Credential Description").FillAsync("My change");
        await current.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(current).ToBeHiddenAsync();
        var stored = await api.GetJson($"/v1/credentials/{created["id"]}");
        Assert.Equal("Renamed elsewhere", stored["name"]!.GetValue<string>());
        Assert.Equal("My change", stored["description"]!.GetValue<string>());
        await page.CloseAsync();
    }

    [Fact]
    public async Task Delete_after_someone_else_changed_the_credential_explains_the_412_reloads_and_keeps_it()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();
        var created = await api.CreateAsync("Contested", BrowserFixture.NewKey());
        await page.ReloadAsync();
        await Expect(page.Tile("Contested")).ToBeVisibleAsync(); // the page has read it before it changes behind its back
        await ChangeBehindThePagesBackAsync(api, created, "Contested (renamed)");

        await page.Tile("Contested").TileButton("Delete").ClickAsync();
        await page.GetByRole(AriaRole.Alertdialog).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();

        var banner = page.Locator("#banner");
        await Expect(banner).ToContainTextAsync("“Contested” was not deleted: someone else changed it");
        await Expect(banner).ToBeFocusedAsync();
        await Expect(page.Tile("Contested (renamed)")).ToBeVisibleAsync(); // reloaded
        await Expect(page.Tile("Contested")).ToHaveCountAsync(0);
        await Expect(banner).ToBeVisibleAsync(); // the explanation outlives the reload
        await api.GetJson($"/v1/credentials/{created["id"]}");
        await page.CloseAsync();
    }

    [Fact]
    public async Task History_lists_the_credentials_events_in_a_dialog()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();
        var created = await api.CreateAsync("Audited", fixture.NewUsKey());
        await api.PostAsync($"/v1/credentials/{created["id"]}/test", null);
        await page.ReloadAsync();

        await page.Tile("Audited").TileButton("History").ClickAsync();
        var history = page.Overlay("History of “Audited”");
        var rows = history.Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(2); // newest first
        await Expect(rows.Nth(0)).ToContainTextAsync("Tested");
        await Expect(rows.Nth(0)).ToContainTextAsync("Result: Connection OK");
        await Expect(rows.Nth(1)).ToContainTextAsync("Created");
        await Expect(rows.Nth(1)).ToContainTextAsync("user-1"); // the actor: the token's subject
        await Expect(history.GetByRole(AriaRole.Button, new() { Name = "Load older events" })).ToBeHiddenAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(history).ToBeHiddenAsync();
        await page.CloseAsync();
    }

    [Fact]
    public async Task History_shows_the_newest_events_and_loads_older_ones_on_request()
    {
        var (page, tenant, api) = await fixture.SignedInPageAsync();
        var created = await api.CreateAsync("Busy", fixture.NewUsKey());
        var id = created["id"]!.GetValue<Guid>();
        var runtime = new HttpClient { BaseAddress = fixture.BaseUrl };
        runtime.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            Tokens.For(tenant, ["credentials:use"], subject: "runtime-9"));
        // A read and an edit in turn: 60 events that do not coalesce; then three reads in a row: one event, count 3.
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await runtime.GetAsync($"/v1/credentials/{id}/secret")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await api.PatchAsync($"/v1/credentials/{id}", Api.Json(new { description = $"step {i}" }))).StatusCode);
        }

        for (var i = 0; i < 3; i++) await runtime.GetAsync($"/v1/credentials/{id}/secret");
        await page.ReloadAsync();

        await page.Tile("Busy").TileButton("History").ClickAsync();
        var history = page.Overlay("History of “Busy”");
        var rows = history.Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(50); // the newest page
        await Expect(rows.Nth(0)).ToContainTextAsync("runtime-9");
        await Expect(rows.Nth(0)).ToContainTextAsync("3 reads");
        var older = history.GetByRole(AriaRole.Button, new() { Name = "Load older events" });
        await older.ClickAsync();
        await Expect(rows).ToHaveCountAsync(62); // created, 30 reads, 30 edits, the three reads as one
        await Expect(rows.Last).ToContainTextAsync("Created");
        await Expect(older).ToBeHiddenAsync();
        await page.CloseAsync();
    }

    /// <summary>Another user renames the credential through the API, with the ETag the page also holds.</summary>
    private static async Task ChangeBehindThePagesBackAsync(HttpClient api, System.Text.Json.Nodes.JsonNode created, string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/v1/credentials/{created["id"]}")
        {
            Content = Api.Json(new { name }),
        };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{created["version"]}\""));
        var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
