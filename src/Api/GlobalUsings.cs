global using Orleans;
global using RemoteExecutor.Grains.Interfaces;
