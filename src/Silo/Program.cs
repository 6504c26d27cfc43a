using RemoteExecutor.Silo.Cli;
using RemoteExecutor.Silo.Hosting;

return await CommandLine.InvokeAsync(args, SiloHost.RunAsync);
