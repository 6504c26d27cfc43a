namespace RemoteExecutor.Grains.Interfaces;

/// <summary>The API names of <see cref="StepCondition"/>.</summary>
public static class StepConditions
{
    /// <summary>The accepted values of the <c>when</c> field, in documentation order.</summary>
    public static readonly IReadOnlyList<string> Names = ["on_success", "on_failure", "always"];

    /// <summary>The API name (<c>on_success</c>, <c>on_failure</c>, <c>always</c>).</summary>
    public static string ApiName(this StepCondition condition) => condition switch
    {
        StepCondition.OnFailure => "on_failure",
        StepCondition.Always => "always",
        _ => "on_success",
    };

    /// <summary>Reads an API name (case-insensitive; empty = on_success).</summary>
    public static bool TryParse(string? text, out StepCondition condition)
    {
        condition = StepCondition.OnSuccess;
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "on_success":
                return true;
            case "on_failure":
                condition = StepCondition.OnFailure;
                return true;
            case "always":
                condition = StepCondition.Always;
                return true;
            default:
                return false;
        }
    }
}
