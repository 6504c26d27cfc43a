using Microsoft.Extensions.DependencyInjection.Extensions;
using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>Puts Orleans' reminder table (registered by <c>UseAdoNetReminderService</c>) behind <see cref="IoReminderTable"/>.</summary>
public static class IoReminders
{
    public static void Wrap(IServiceCollection services)
    {
        // The ADO.NET table type is internal to Orleans: take its registration as it is and register it under its own type.
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IReminderTable) && !d.IsKeyedService)
            ?? throw new InvalidOperationException("no reminder table is registered");
        var inner = registered.ImplementationType
            ?? throw new InvalidOperationException($"the reminder table registration has no implementation type ({registered})");
        services.RemoveAll<IReminderTable>();
        services.AddSingleton(inner);
        services.AddSingleton<IReminderTable>(sp => new IoReminderTable((IReminderTable)sp.GetRequiredService(inner), sp.GetRequiredService<StorageIo>()));
    }
}
