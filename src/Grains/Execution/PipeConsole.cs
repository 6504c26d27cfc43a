using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using RemoteExecutor.Plugins;

namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// The console a plugin step writes to: its lines become bytes on an in-memory pipe that <see cref="StepOutput"/>
/// reads exactly like a process's stdout, so cutting, masking, the output budget and storage are the script path's.
/// </summary>
internal sealed class PipeConsole : IStepConsole, IAsyncDisposable
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly Pipe _pipe = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _closed;

    /// <summary>The bytes written, for the step's line reader.</summary>
    public Stream Output => _pipe.Reader.AsStream();

    public async ValueTask WriteLineAsync(string line)
    {
        await _gate.WaitAsync();
        try
        {
            if (_closed)
            {
                return;
            }

            _pipe.Writer.Write(Encoding.UTF8.GetBytes(line ?? ""));
            _pipe.Writer.Write(NewLine);
            await _pipe.Writer.FlushAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ends the output: the reader sees its end once it has read everything, later writes are dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        _closed = true;
        await _gate.WaitAsync();
        try
        {
            await _pipe.Writer.CompleteAsync();
        }
        finally
        {
            _gate.Release();
        }
    }
}
