using System.Security.Claims;
using AlignLab.Core.Accounts;
using AlignLab.Data.Accounts;
using AlignLab.Web.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AlignLab.Web.Api;

/// <summary>Accounts and API keys: the first admin (from this machine only, while there is no account), cookie
/// sign-in and sign-out for the pages, the caller's identity, API keys (shown once, revocable), and users (admins).</summary>
public static class AccountsApi
{
    public sealed record SetupRequest(string? Name, string? Password);
    /// <param name="User">Admins only: the account the key is for (default: yourself).</param>
    public sealed record NewKeyRequest(string? Name, string? Role, string? User);
    public sealed record NewUserRequest(string? Name, string? Password, string? Role);
    public sealed record UserDto(Guid Id, string Name, string Role, DateTimeOffset CreatedAt, bool Disabled = false)
    {
        public static UserDto From(UserAccount user) => new(user.Id, user.Name, user.Role.Name(), user.CreatedAt, user.Disabled);
    }

    /// <summary>What an admin changes of an account; absent fields stay as they are.</summary>
    public sealed record UserChange(string? Role, bool? Disabled, string? Password);
    public sealed record ApiKeyDto(Guid Id, Guid UserId, string UserName, string Name, string Prefix, string Role,
        DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
    {
        public static ApiKeyDto From(ApiKeyInfo key) => new(key.Id, key.UserId, key.UserName, key.Name, key.Prefix, key.Role.Name(),
            key.CreatedAt, key.LastUsedAt, key.RevokedAt);
    }
    /// <summary>A new key: <see cref="Key"/> is the secret, shown this once.</summary>
    public sealed record CreatedKeyDto(string Key, ApiKeyDto Info);
    public sealed record SetupResult(UserDto User, CreatedKeyDto ApiKey);
    public sealed record MeDto(Guid Id, string Name, string Role, string AuthenticatedWith, Guid? KeyId);

    public static void MapAccountsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/setup", SetupAsync).AllowAnonymous().WithTags("Accounts").WithName("SetUpFirstAdmin")
            .WithSummary("Create the first account, an admin, and an API key for it: only from this machine, only while no account exists");

        var auth = app.MapGroup("/auth").WithTags("Accounts").ExcludeFromDescription();
        auth.MapPost("/login", LoginAsync).AllowAnonymous();
        auth.MapPost("/setup", SetupFormAsync).AllowAnonymous();
        // Signing out ends the account's sessions on every browser (a new session stamp), not only this cookie.
        auth.MapPost("/logout", async (HttpContext context, ClaimsPrincipal user, AccountRepository accounts, CancellationToken ct) =>
        {
            if (user.UserId() is { } id) await accounts.EndSessionsAsync(id, ct);
            await context.SignOutAsync(AuthSchemes.Cookie);
            return Results.Redirect("/login");
        }).RequireAuthorization(Policies.Read);

        app.MapGet("/api/me", (ClaimsPrincipal user) => TypedResults.Ok(new MeDto(user.UserId()!.Value, user.Identity!.Name!,
                user.RoleOf()!.Value.Name(), user.KeyId() is null ? "cookie" : "api-key", user.KeyId())))
            .RequireAuthorization(Policies.Read).WithTags("Accounts").WithName("GetMe").WithSummary("Who the request authenticates as");

        var keys = app.MapGroup("/api/keys").WithTags("Accounts").RequireAuthorization(Policies.Read);
        keys.MapGet("/", ListKeysAsync).WithName("ListApiKeys").WithSummary("Your API keys; admins: all=true lists everyone's");
        keys.MapPost("/", CreateKeyAsync).WithName("CreateApiKey")
            .WithSummary("A new API key with its owner's role or a lower one (admins: for any account); the key is in the response only");
        keys.MapDelete("/{id:guid}", RevokeKeyAsync).WithName("RevokeApiKey").WithSummary("Revoke one of your keys (admins: anyone's)");

        var users = app.MapGroup("/api/users").WithTags("Accounts").RequireAuthorization(Policies.Admin);
        users.MapGet("/", async (AccountRepository accounts, CancellationToken ct) =>
            TypedResults.Ok((await accounts.ListUsersAsync(ct)).Select(UserDto.From).ToList())).WithName("ListUsers");
        users.MapPost("/", CreateUserAsync).WithName("CreateUser").WithSummary("A new account with a role");
        users.MapPatch("/{id:guid}", UpdateUserAsync).WithName("UpdateUser")
            .WithSummary("Change an account's role, disable or enable it, or set its password; its sessions end, and a disabled account's keys stop working");
        users.MapDelete("/{id:guid}", DeleteUserAsync).WithName("DeleteUser")
            .WithSummary("Take an account's access away for good (keys revoked, sessions ended); its runs and annotations stay attributed to its name");
    }

    private static async Task<Results<Created<SetupResult>, ValidationProblem, ProblemHttpResult>> SetupAsync(
        SetupRequest request, HttpContext context, AccountRepository accounts, PasswordHashing passwords, CancellationToken ct)
    {
        if (!Loopback.IsDirectLocal(context))
            return TypedResults.Problem(statusCode: 403, title: "Set-up is only possible from the machine AlignLab runs on",
                detail: "open the set-up from 127.0.0.1, or ask an admin for an account");
        var errors = AccountRules.CheckNameAndPassword(request.Name, request.Password);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var admin = await accounts.CreateFirstAdminAsync(request.Name!, passwords.Hash(request.Password!), ct);
        if (admin is null)
            return TypedResults.Problem(statusCode: 409, title: "AlignLab is set up already", detail: "sign in, or ask an admin for an account");
        var key = await NewKeyAsync(accounts, admin, "set-up", Role.Admin, ct);
        return TypedResults.Created("/api/me", new SetupResult(UserDto.From(admin), key));
    }

    private static async Task<IResult> SetupFormAsync([FromForm] string? name, [FromForm] string? password, HttpContext context,
        AccountRepository accounts, PasswordHashing passwords, CancellationToken ct)
    {
        if (!Loopback.IsDirectLocal(context)) return Results.Redirect("/login?error=setup-remote");
        var errors = AccountRules.CheckNameAndPassword(name, password);
        if (errors.Count > 0) return Results.Redirect($"/setup?error={Uri.EscapeDataString(string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}")))}");
        var admin = await accounts.CreateFirstAdminAsync(name!, passwords.Hash(password!), ct);
        if (admin is null) return Results.Redirect("/login?error=setup-done");
        await SignInAsync(context, accounts, admin, ct);
        return Results.Redirect("/");
    }

    private static async Task<IResult> LoginAsync([FromForm] string? name, [FromForm] string? password, [FromForm] string? returnUrl,
        HttpContext context, AccountRepository accounts, PasswordHashing passwords, SignInThrottle throttle, ILoggerFactory logs, CancellationToken ct)
    {
        var target = IsLocalPath(returnUrl) ? returnUrl! : "/";
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "";
        var log = logs.CreateLogger("AlignLab.Auth");
        if (throttle.LockedFor(name ?? "", address) is { } wait)
        {
            log.LogWarning("Sign-in for {Name} from {Address} refused: locked for {Seconds} s after failures", name, address, (int)wait.TotalSeconds);
            return Results.Redirect($"/login?error=throttled&wait={(int)Math.Ceiling(wait.TotalSeconds)}&returnUrl={Uri.EscapeDataString(target)}");
        }
        var found = string.IsNullOrEmpty(name) ? null : await accounts.FindByNameAsync(name, ct);
        var valid = !string.IsNullOrEmpty(password) && (found is { } known ? passwords.Verify(known.PasswordHash, password) : passwords.VerifyUnknownAccount(password));
        if (!valid || found is not { } account)
        {
            throttle.Failed(name ?? "", address);
            // The name is logged, never the password.
            log.LogWarning("Failed sign-in for {Name} from {Address}", name, address);
            return Results.Redirect($"/login?error=credentials&returnUrl={Uri.EscapeDataString(target)}");
        }
        throttle.Succeeded(name!);
        if (account.User.Disabled) return Results.Redirect($"/login?error=disabled&returnUrl={Uri.EscapeDataString(target)}");
        await SignInAsync(context, accounts, account.User, ct);
        return Results.Redirect(target);
    }

    private static async Task<Results<Ok<UserDto>, NotFound, ValidationProblem>> UpdateUserAsync(Guid id, UserChange change, ClaimsPrincipal user,
        AccountAdministration administration, CancellationToken ct)
    {
        var (updated, errors) = await administration.ChangeAsync(user.UserId()!.Value, id, change.Role, change.Disabled, change.Password, ct);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        return updated is null ? TypedResults.NotFound() : TypedResults.Ok(UserDto.From(updated));
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> DeleteUserAsync(Guid id, ClaimsPrincipal user,
        AccountAdministration administration, CancellationToken ct)
    {
        var (found, errors) = await administration.DeleteAsync(user.UserId()!.Value, id, ct);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        return found ? TypedResults.NoContent() : TypedResults.NotFound();
    }

    private static async Task SignInAsync(HttpContext context, AccountRepository accounts, UserAccount user, CancellationToken ct)
    {
        var stamp = await accounts.SessionStampAsync(user.Id, ct) ?? throw new InvalidOperationException($"account {user.Id} vanished while signing in");
        await context.SignInAsync(AuthSchemes.Cookie, Principals.For(user, AuthSchemes.Cookie, stamp));
    }

    private static async Task<Ok<List<ApiKeyDto>>> ListKeysAsync(bool? all, ClaimsPrincipal user, AccountRepository accounts, CancellationToken ct)
    {
        var everyone = all == true && user.May(Policies.Admin);
        return TypedResults.Ok((await accounts.ListKeysAsync(everyone ? null : user.UserId(), ct)).Select(ApiKeyDto.From).ToList());
    }

    private static async Task<Results<Created<CreatedKeyDto>, ValidationProblem, ProblemHttpResult>> CreateKeyAsync(
        NewKeyRequest request, ClaimsPrincipal user, AccountRepository accounts, CancellationToken ct)
    {
        if (request.User is not null && !user.May(Policies.Admin))
            return TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: "only admins make keys for other accounts");
        var errors = new Dictionary<string, string[]>();
        if (AccountRules.CheckKeyName(request.Name) is { } nameError) errors["name"] = [nameError];
        var owner = request.User is null
            ? await accounts.GetUserAsync(user.UserId()!.Value, ct) ?? throw new InvalidOperationException("the signed-in user no longer exists")
            : (await accounts.FindByNameAsync(request.User, ct))?.User;
        if (owner is null) errors["user"] = [$"no account named {request.User}"];
        var ceiling = owner?.Role ?? Role.Reviewer;
        var role = ceiling;
        if (request.Role is not null && !Roles.TryParse(request.Role, out role))
            errors["role"] = [$"one of {string.Join(", ", Roles.Names)}"];
        else if (owner is not null && role > ceiling) errors["role"] = [$"at most the account's own role, {ceiling.Name()}"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var key = await NewKeyAsync(accounts, owner!, request.Name!.Trim(), role, ct);
        return TypedResults.Created($"/api/keys/{key.Info.Id}", key);
    }

    private static async Task<Results<NoContent, NotFound>> RevokeKeyAsync(Guid id, ClaimsPrincipal user, ApiKeyCache keys, CancellationToken ct) =>
        await keys.RevokeAsync(id, user.May(Policies.Admin) ? null : user.UserId(), ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<Results<Created<UserDto>, ValidationProblem, Conflict<ProblemDetails>>> CreateUserAsync(
        NewUserRequest request, AccountRepository accounts, PasswordHashing passwords, CancellationToken ct)
    {
        var errors = AccountRules.CheckNameAndPassword(request.Name, request.Password);
        if (!Roles.TryParse(request.Role, out var role)) errors["role"] = [$"one of {string.Join(", ", Roles.Names)}"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var created = await accounts.CreateUserAsync(request.Name!, passwords.Hash(request.Password!), role, ct);
        if (created is null)
            return TypedResults.Conflict(new ProblemDetails { Status = 409, Title = "The name is taken", Detail = $"an account named {request.Name} exists" });
        return TypedResults.Created($"/api/users/{created.Id}", UserDto.From(created));
    }

    private static async Task<CreatedKeyDto> NewKeyAsync(AccountRepository accounts, UserAccount owner, string name, Role role, CancellationToken ct)
    {
        var (secret, info) = await accounts.IssueKeyAsync(owner, name, role, ct);
        return new CreatedKeyDto(secret, ApiKeyDto.From(info));
    }

    private static bool IsLocalPath(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
