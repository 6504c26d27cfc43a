using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>Start and end as local time strings (<c>2006-01-02 15:04:05</c>), empty when unset.</summary>
public sealed record Times(
    [property: JsonPropertyName("st")] string St,
    [property: JsonPropertyName("et")] string Et)
{
    public static Times Of(DateTimeOffset? st, DateTimeOffset? et) => new(Format(st), Format(et));

    public static string Format(DateTimeOffset? t) =>
        t is { } v ? v.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) : "";
}
