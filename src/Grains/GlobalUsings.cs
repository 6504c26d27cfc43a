global using Orleans;
global using Orleans.Concurrency;
global using RemoteExecutor.Grains.Interfaces;
