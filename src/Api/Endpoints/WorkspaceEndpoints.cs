using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using RemoteExecutor.Api.Security;

namespace RemoteExecutor.Api.Endpoints;

/// <summary>
/// A task's workspace files: list (<c>?path=</c>), download, upload, delete. The file I/O happens on the task's node
/// through its node grain, in chunks of <see cref="ChunkBytes"/> over the silo transport, so the API node may be any
/// node and neither side ever holds a whole file.
/// </summary>
public static class WorkspaceEndpoints
{
    /// <summary>Bytes per grain call of a download or upload.</summary>
    public const int ChunkBytes = 64 * 1024;

    /// <summary>Entries a listing shows at most.</summary>
    public const int MaxEntries = 10_000;

    /// <summary>Room for multipart boundaries and part headers on top of <see cref="ApiOptions.UploadLimit"/>.</summary>
    private const long MultipartSlack = 64 * 1024;

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static RouteGroupBuilder MapWorkspaceEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapGet("/{task}/workspace", List).WithName("TaskWorkspace").WithSummary("Files in the task's workspace (on its node); ?path= lists a subfolder")
            .WithDescription("Every file and folder below the workspace, or below `path`, recursively (at most 10000); `path` in each entry is relative to the workspace and can be used in the file routes.")
            .Produces<Envelope<List<WorkspaceFile>>>().Produces<Envelope<object>>(400).Produces<Envelope<object>>(404);
        v1.MapGet("/{task}/workspace/{*path}", Download).WithName("DownloadWorkspaceFile").WithSummary("Download a file of the task's workspace")
            .WithDescription("Streams the file, from whichever node the task runs on. `Content-Type` follows the extension "
                + "(application/octet-stream when unknown); `Content-Disposition: attachment` names the file. A folder, `..`, an absolute path "
                + "or a link leading outside the workspace is refused with 400.")
            .Produces(200, contentType: "application/octet-stream").Produces<Envelope<object>>(400).Produces<Envelope<object>>(404);
        v1.MapPost("/{task}/workspace/{*path}", Upload).WithName("UploadWorkspaceFile").WithSummary("Upload a file into the task's workspace")
            .WithDescription("The body is the file (`Content-Type: application/octet-stream`) or a multipart/form-data form whose first "
                + "file part is taken. Missing folders are created, an existing file is replaced. The file is streamed to disk on the task's "
                + "node and appears only when complete; over `--upload_limit` (default 1 GiB) the answer is 413 and nothing is left behind. "
                + "In --insecure mode a multipart body is accepted only without an `Origin` header (not from a browser page).")
            .Accepts<IFormFile>("application/octet-stream", "multipart/form-data")
            .WithMetadata(UploadBodyMetadata.Instance)
            .Produces<Envelope<WorkspaceFile>>().Produces<Envelope<object>>(400).Produces<Envelope<object>>(404);
        v1.MapDelete("/{task}/workspace/{*path}", Delete).WithName("DeleteWorkspacePath").WithSummary("Remove a file or folder of the task's workspace")
            .WithDescription("A folder goes with everything in it. A link is removed itself; what it points to is never touched.")
            .Produces<Envelope<object>>().Produces<Envelope<object>>(400).Produces<Envelope<object>>(404);
        return v1;
    }

    public static async Task<IResult> List(IGrainFactory grains, string task, string? path)
    {
        var (node, error) = await NodeOf(grains, task);
        if (node is null)
        {
            return error!;
        }

        var listing = await node.ListWorkspace(task, path ?? "", MaxEntries);
        return listing.Reply.IsDone
            ? ApiResults.Ok(listing.Entries.Select(e => new WorkspaceFile(e.Path, e.IsDirectory, e.Size, Dtos.Times.Format(e.Modified))).ToList())
            : Refusal(listing.Reply);
    }

    public static async Task Download(HttpContext context, IGrainFactory grains, string task, string? path)
    {
        path = ClientPath(path);
        var (node, error) = await NodeOf(grains, task);
        var stat = node is null ? null : await node.StatWorkspaceFile(task, path);
        if (node is null || stat is not { IsDone: true })
        {
            await (error ?? Refusal(stat!)).ExecuteAsync(context);
            return;
        }

        var name = path.Split('/', StringSplitOptions.RemoveEmptyEntries)[^1];
        var response = context.Response;
        response.ContentType = ContentTypes.TryGetContentType(name, out var type) ? type : "application/octet-stream";
        response.ContentLength = stat.Length;
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(name);
        response.Headers.ContentDisposition = disposition.ToString();
        response.Headers.LastModified = HeaderUtilities.FormatDate(stat.Modified);

        // One chunk read ahead while the last one goes out: the silo hop and the client overlap.
        var ct = context.RequestAborted;
        long offset = 0;
        var next = stat.Length > 0 ? node.ReadWorkspaceChunk(task, path, 0, (int)Math.Min(ChunkBytes, stat.Length)) : null;
        while (next is not null)
        {
            var chunk = await next;
            if (chunk.Length == 0)
            {
                // The file shrank meanwhile: the client sees a body shorter than Content-Length, never a wrong one.
                context.Abort();
                return;
            }

            offset += chunk.Length;
            next = offset < stat.Length ? node.ReadWorkspaceChunk(task, path, offset, (int)Math.Min(ChunkBytes, stat.Length - offset)) : null;
            await response.Body.WriteAsync(chunk, ct);
        }
    }

    public static async Task<IResult> Upload(HttpContext context, IGrainFactory grains, ApiOptions options, string task, string? path)
    {
        path = ClientPath(path);
        var request = context.Request;
        var multipart = BodyMediaType.IsMultipart(request.ContentType);
        var limit = options.UploadLimit;
        if (request.ContentLength > limit + (multipart ? MultipartSlack : 0))
        {
            await Audit.RecordAsync(context, grains, "workspace.upload", task, null, null, $"413: {path}");
            return TooLarge(limit);
        }

        var (node, error) = await NodeOf(grains, task);
        if (node is null)
        {
            return error!;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit + MultipartSlack;
        }

        var begin = await node.BeginUpload(task, path);
        if (!begin.IsDone)
        {
            await Audit.RecordAsync(context, grains, "workspace.upload", task, null, null, $"{(int)Code(begin)}: {path}: {begin.Message}");
            return Refusal(begin);
        }

        var upload = begin.Upload!;
        var committed = false;
        try
        {
            var source = multipart ? await FilePartAsync(request) : request.Body;
            if (source is null)
            {
                return ApiResults.Error(ResultCode.ParameterError, "the multipart form has no file part");
            }

            long written = 0;
            var buffer = new byte[ChunkBytes];
            while (true)
            {
                var read = await source.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, context.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                if (written + read > limit)
                {
                    await Audit.RecordAsync(context, grains, "workspace.upload", task, null, null, $"413: {path}");
                    return TooLarge(limit);
                }

                await node.WriteUploadChunk(upload, written, buffer[..read]);
                written += read;
            }

            var commit = await node.CommitUpload(task, upload, path);
            committed = true;
            await Audit.RecordAsync(context, grains, "workspace.upload", task, null, null, commit.IsDone ? $"ok: {path} ({written} bytes)" : $"{(int)Code(commit)}: {path}: {commit.Message}");
            return commit.IsDone
                ? ApiResults.Ok(new WorkspaceFile(string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries)), false, written, Dtos.Times.Format(DateTimeOffset.UtcNow)))
                : Refusal(commit);
        }
        finally
        {
            if (!committed)
            {
                await node.AbortUpload(upload);
            }
        }
    }

    public static async Task<IResult> Delete(HttpContext context, IGrainFactory grains, string task, string? path)
    {
        path = ClientPath(path);
        var (node, error) = await NodeOf(grains, task);
        if (node is null)
        {
            return error!;
        }

        var reply = await node.DeleteWorkspacePath(task, path);
        await Audit.RecordAsync(context, grains, "workspace.delete", task, null, null, reply.IsDone ? $"ok: {path}" : $"{(int)Code(reply)}: {path}: {reply.Message}");
        return reply.IsDone ? ApiResults.Ok<object?>(null) : Refusal(reply);
    }

    /// <summary>The node grain of the task's node (placed there), or the 404 of an unknown task.</summary>
    private static async Task<(INodeGrain? Node, IResult? Error)> NodeOf(IGrainFactory grains, string task)
    {
        var view = await grains.GetTask(task).GetView();
        if (view is null)
        {
            return (null, ApiResults.Error(ResultCode.NotFound, $"task {task} not found"));
        }

        RequestContext.Set(TaskEndpoints.NodeContextKey, view.Node);
        return (grains.GetGrain<INodeGrain>(view.Node), null);
    }

    /// <summary>
    /// The route value as the client meant it: the server decodes every escape but <c>%2F</c> before routing, so an
    /// encoded slash is one too (and <c>..%2F</c> is caught like <c>../</c>).
    /// </summary>
    private static string ClientPath(string? path) => (path ?? "").Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);

    /// <summary>The body of the form's first file part (or, failing that, its first part).</summary>
    private static async Task<Stream?> FilePartAsync(HttpRequest request)
    {
        var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(request.ContentType).Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            return null;
        }

        var reader = new MultipartReader(boundary, request.Body);
        while (await reader.ReadNextSectionAsync(request.HttpContext.RequestAborted) is { } section)
        {
            if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) && disposition.IsFileDisposition())
            {
                return section.Body;
            }
        }

        return null;
    }

    private static ResultCode Code(WorkspaceReply reply) => reply.Problem switch
    {
        WorkspaceProblem.NoWorkspace or WorkspaceProblem.NotFound => ResultCode.NotFound,
        WorkspaceProblem.NodeGone => ResultCode.InternalError,
        _ => ResultCode.ParameterError,
    };

    private static IResult Refusal(WorkspaceReply reply) =>
        ApiResults.Error(Code(reply), reply.Message, reply.Problem == WorkspaceProblem.NodeGone ? StatusCodes.Status503ServiceUnavailable : null);

    private static IResult TooLarge(long limit) =>
        ApiResults.Error(ResultCode.ParameterError, $"the file is larger than the upload limit of {limit} bytes (--upload_limit)", StatusCodes.Status413PayloadTooLarge);

    /// <summary>One entry of a workspace listing (or the file an upload wrote).</summary>
    public sealed record WorkspaceFile(
        [property: JsonPropertyName("path")] string Path,
        [property: JsonPropertyName("dir")] bool Dir,
        [property: JsonPropertyName("size")] long Size,
        [property: JsonPropertyName("modified")] string Modified);
}
