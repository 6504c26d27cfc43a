using System.Net;
using Orleans.Runtime;
using RemoteExecutor.Grains.Hooks;

namespace RemoteExecutor.Tests.Unit;

public sealed class HookOwnershipTests
{
    private static readonly SiloAddress A = Silo(11111, 1);
    private static readonly SiloAddress B = Silo(11112, 1);
    private static readonly SiloAddress C = Silo(11113, 1);

    [Fact]
    public void LiveNodesIfHeir_LowestActiveSilo_AdoptsRowsOfDeadNodesOnly()
    {
        ClusterMember[] members = [Member(A, SiloStatus.Active, "a"), Member(B, SiloStatus.Dead, "b"), Member(C, SiloStatus.Active, "c")];

        Assert.Equal(["a", "c"], HookOwnership.LiveNodesIfHeir(A, "a", members));
        Assert.Null(HookOwnership.LiveNodesIfHeir(C, "c", members));
    }

    [Fact]
    public void LiveNodesIfHeir_DeadSiloLowest_NextActiveIsTheHeir()
    {
        ClusterMember[] members = [Member(A, SiloStatus.Dead, "a"), Member(B, SiloStatus.Active, "b"), Member(C, SiloStatus.Active, "c")];

        Assert.Equal(["b", "c"], HookOwnership.LiveNodesIfHeir(B, "b", members));
        Assert.Null(HookOwnership.LiveNodesIfHeir(C, "c", members));
    }

    [Fact]
    public void LiveNodesIfHeir_NodeStartingOrStoppingOrBackUnderANewSilo_KeepsItsRows()
    {
        ClusterMember[] members =
        [
            Member(A, SiloStatus.Active, "a"),
            Member(B, SiloStatus.Dead, "b"),
            Member(Silo(11112, 2), SiloStatus.Joining, "b"),
            Member(C, SiloStatus.ShuttingDown, "c"),
        ];

        Assert.Equal(["a", "b", "c"], HookOwnership.LiveNodesIfHeir(A, "a", members));
    }

    [Fact]
    public void LiveNodesIfHeir_NotActiveYet_DeliversOnlyItsOwn() =>
        Assert.Null(HookOwnership.LiveNodesIfHeir(A, "a", [Member(A, SiloStatus.Joining, "a"), Member(B, SiloStatus.Dead, "b")]));

    [Fact]
    public void DueDeliveries_WithLiveNodes_SelectsOwnRowsAndThoseOfNodesNotAmongThem()
    {
        Assert.Contains("(d.node = @node) ORDER BY", RemoteExecutor.Grains.Storage.Sql.DueDeliveries(0), StringComparison.Ordinal);
        Assert.Contains("(d.node = @node OR d.node NOT IN (@l0, @l1)) ORDER BY", RemoteExecutor.Grains.Storage.Sql.DueDeliveries(2), StringComparison.Ordinal);
    }

    private static SiloAddress Silo(int port, int generation) => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), generation);

    private static ClusterMember Member(SiloAddress address, SiloStatus status, string name) => new(address, status, name);
}
