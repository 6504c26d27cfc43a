namespace RemoteExecutor.Api.Security;

/// <summary>The answer of <see cref="AccessCheck"/>: let the request through (as <paramref name="Actor"/>) or refuse it.</summary>
/// <param name="Allowed">True when the request may reach its endpoint.</param>
/// <param name="Actor">Who is asking, for the audit log (a token id or "insecure"); null on open routes.</param>
/// <param name="Refusal">Why the request is refused (never names a token).</param>
/// <param name="AskForBasic">True when a browser should be asked for a password (the dashboard).</param>
public sealed record AccessDecision(bool Allowed, string? Actor, string? Refusal, bool AskForBasic)
{
    public static AccessDecision Allow(string? actor) => new(true, actor, null, false);

    public static AccessDecision Refuse(string refusal, bool askForBasic = false) => new(false, null, refusal, askForBasic);
}
