using System.Globalization;

namespace RemoteExecutor.Api.Endpoints;

/// <summary>
/// The task list's <c>?page=&amp;size=</c>: page from 1 (default 1), size from 1 to <see cref="MaxSize"/> (default
/// <see cref="MaxSize"/>, so a client that never pages still gets every task up to that many).
/// </summary>
public static class ListPaging
{
    public const int MaxSize = 1000;

    /// <summary>The page and size asked for, or a message naming the bad field.</summary>
    public static (int Page, int Size, string? Error) Parse(string? page, string? size)
    {
        var p = 1;
        var s = MaxSize;
        if (!string.IsNullOrEmpty(page) && (!int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out p) || p < 1))
        {
            return (0, 0, "page must be a whole number from 1");
        }

        if (!string.IsNullOrEmpty(size) && (!int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out s) || s < 1 || s > MaxSize))
        {
            return (0, 0, $"size must be a whole number from 1 to {MaxSize}");
        }

        return (p, s, null);
    }
}
