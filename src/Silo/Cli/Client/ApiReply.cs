using System.Text.Json;

namespace RemoteExecutor.Silo.Cli.Client;

/// <summary>A successful answer: the envelope's code, message and data, and the task state header when there was one.</summary>
public sealed record ApiReply(int Code, string Message, JsonElement Data, string? TaskState)
{
    /// <summary>A fan-out's detail: its runs by node; undefined for any other answer.</summary>
    public JsonElement Runs { get; init; }

    public bool IsFanOut => Runs.ValueKind == JsonValueKind.Array;

    /// <summary>The data bound to <typeparamref name="T"/> (the server's own DTO types).</summary>
    public T Read<T>() => Data.Deserialize<T>() ?? throw new ClientException($"the server answered without data ({Message})");
}
