using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Follow;

/// <summary>How a step ended, as the last event of a followed console: its state, exit code and message.</summary>
public sealed record StepEnd(
    [property: JsonPropertyName("state")] int State,
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("msg")] string Msg)
{
    public static StepEnd Of(StepView step) => new((int)step.State, step.Code, Describe(step).Message);

    /// <summary>The business code and message the console route answers with for a step in this state.</summary>
    public static (ResultCode Code, string Message) Describe(StepView step) => StepText.Describe(step);
}
