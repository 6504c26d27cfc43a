using RemoteExecutor.Bench;

return await BenchMain.RunAsync(args);
