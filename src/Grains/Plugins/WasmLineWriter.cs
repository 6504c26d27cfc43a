using System.Text;
using RemoteExecutor.Plugins;

namespace RemoteExecutor.Grains.Plugins;

/// <summary>
/// Turns the bytes a guest writes to one stream into console lines. Wasmtime calls it on its own thread while the
/// guest waits, so writing a line waits for the console here: that is the guest's back-pressure. A line longer
/// than <see cref="MaxPending"/> bytes is passed on in pieces (the console cuts long lines further).
/// </summary>
internal sealed class WasmLineWriter(IStepConsole console) : IDisposable
{
    private const int MaxPending = 64 * 1024;

    private readonly MemoryStream _pending = new();

    public void Write(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            var newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                _pending.Write(data);
                if (_pending.Length >= MaxPending)
                {
                    Emit();
                }

                return;
            }

            _pending.Write(data[..newline]);
            Emit();
            data = data[(newline + 1)..];
        }
    }

    /// <summary>Passes on a last line without its newline.</summary>
    public void Flush()
    {
        if (_pending.Length > 0)
        {
            Emit();
        }
    }

    private void Emit()
    {
        var bytes = _pending.GetBuffer().AsSpan(0, (int)_pending.Length);
        if (bytes.Length > 0 && bytes[^1] == '\r')
        {
            bytes = bytes[..^1];
        }

        var line = Encoding.UTF8.GetString(bytes);
        _pending.SetLength(0);
        console.WriteLineAsync(line).AsTask().GetAwaiter().GetResult();
    }

    public void Dispose() => _pending.Dispose();
}
