using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Cluster;

/// <summary>The three-node cluster with grains collected after 2 s idle and no keep-alive of live runs (test-only).</summary>
public sealed class FastCollectionClusterFixture : ClusterFixture
{
    protected override string[] ExtraArgs => ["--debug"];

    protected override IReadOnlyDictionary<string, string>? Env => FastCollectionServerFixture.FastCollectionEnv;
}
