using System.Security.Cryptography;
using CredentialService.BrowserTests.Infrastructure;
using CredentialService.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CredentialService.BrowserTests;

[Collection(BrowserGroup.Name)]
public sealed class SignInTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Sign_in_shows_the_tokens_tenant_and_scopes_and_keeps_it_in_session_storage_only()
    {
        var tenant = BrowserFixture.NewTenant();
        var token = Tokens.For(tenant, ["credentials:read", "credentials:write"], subject: "alice");
        var page = await fixture.NewPageAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.SignInAsync("Bearer " + token + "  "); // pasted as Swagger UI's header would show it

        var session = page.GetByRole(AriaRole.Region, new() { Name = "Signed-in token" });
        await Expect(session).ToContainTextAsync(tenant);
        await Expect(session).ToContainTextAsync("credentials:read");
        await Expect(session).ToContainTextAsync("credentials:write");
        await Expect(session).ToContainTextAsync("alice");
        await Expect(page.Locator("#list-status")).ToHaveTextAsync("No credentials yet. Use Add Credential to create one.");

        Assert.Equal(token, await page.EvaluateAsync<string>("() => sessionStorage.getItem('credential-service.token')"));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length"));
        Assert.DoesNotContain(token, await page.EvaluateAsync<string>("() => document.cookie"));

        // A reload of the tab keeps the session; signing out forgets the token.
        await page.ReloadAsync();
        await Expect(session).ToContainTextAsync(tenant);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByLabel("Bearer token")).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('credential-service.token')"));
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_token_the_service_rejects_is_explained_as_a_401_and_forgotten()
    {
        var page = await fixture.NewPageAsync();
        var forged = Tokens.For(BrowserFixture.NewTenant(), Tokens.AllScopes, signingKey: RandomNumberGenerator.GetBytes(32));

        await page.SignInAsync(forged);

        var problem = page.Locator("#sign-in-problem");
        await Expect(problem).ToContainTextAsync("did not accept your token (401)");
        await Expect(problem).ToContainTextAsync("sign in again");
        await Expect(page.GetByLabel("Bearer token")).ToBeFocusedAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('credential-service.token')"));
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_token_without_the_read_scope_is_explained_as_a_403_naming_the_scope()
    {
        var page = await fixture.NewPageAsync();

        await page.SignInAsync(Tokens.For(BrowserFixture.NewTenant(), ["credentials:test"]));

        var banner = page.Locator("#banner");
        await Expect(banner).ToContainTextAsync("(403)");
        await Expect(banner).ToContainTextAsync("needs the scope credentials:read");
        await Expect(banner).ToContainTextAsync("your token carries credentials:test");
        await page.CloseAsync();
    }

    [Fact]
    public async Task Text_that_is_not_a_jwt_is_refused_next_to_the_field()
    {
        var page = await fixture.NewPageAsync();

        await page.SignInAsync("not-a-token");

        await Expect(page.Locator("#token-error")).ToContainTextAsync("This is not a JWT");
        await Expect(page.GetByLabel("Bearer token")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.CloseAsync();
    }
}
