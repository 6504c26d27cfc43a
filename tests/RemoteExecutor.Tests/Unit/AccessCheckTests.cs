using System.Text;
using RemoteExecutor.Api.Security;

namespace RemoteExecutor.Tests.Unit;

public sealed class AccessCheckTests
{
    private const string Api = "api-token";
    private const string Metrics = "metrics-token";

    private static string Bearer(string token) => $"Bearer {token}";

    private static string Basic(string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"user:{password}"));

    [Theory]
    [InlineData(RouteAccess.Token, null)]
    [InlineData(RouteAccess.Dashboard, "Bearer nope")]
    [InlineData(RouteAccess.Metrics, null)]
    public void Decide_Insecure_AllowsEverythingAsInsecure(RouteAccess access, string? authorization)
    {
        var decision = AccessCheck.Decide(access, authorization, apiToken: null, metricsToken: Metrics);
        Assert.True(decision.Allowed);
        Assert.Equal("insecure", decision.Actor);
    }

    [Fact]
    public void Decide_OpenRoute_NeedsNothing() =>
        Assert.True(AccessCheck.Decide(RouteAccess.Open, null, Api, Metrics).Allowed);

    [Fact]
    public void Decide_MetricsWithoutMetricsToken_IsOpen() =>
        Assert.True(AccessCheck.Decide(RouteAccess.Metrics, null, Api, null).Allowed);

    [Fact]
    public void Decide_MetricsToken_OpensMetricsOnly()
    {
        Assert.True(AccessCheck.Decide(RouteAccess.Metrics, Bearer(Metrics), Api, Metrics).Allowed);
        Assert.Equal(AccessCheck.TokenNotValid, AccessCheck.Decide(RouteAccess.Token, Bearer(Metrics), Api, Metrics).Refusal);
        Assert.False(AccessCheck.Decide(RouteAccess.Dashboard, Bearer(Metrics), Api, Metrics).Allowed);
        Assert.Equal(AccessCheck.TokenRequired, AccessCheck.Decide(RouteAccess.Metrics, null, Api, Metrics).Refusal);
    }

    [Theory]
    [InlineData(RouteAccess.Token)]
    [InlineData(RouteAccess.Metrics)]
    [InlineData(RouteAccess.Dashboard)]
    public void Decide_ApiTokenAsBearer_OpensEveryRoute(RouteAccess access)
    {
        var decision = AccessCheck.Decide(access, Bearer(Api), Api, Metrics);
        Assert.True(decision.Allowed);
        Assert.Equal(AccessCheck.TokenId(Api), decision.Actor);
    }

    [Fact]
    public void Decide_Basic_OnlyOnTheDashboard()
    {
        Assert.True(AccessCheck.Decide(RouteAccess.Dashboard, Basic(Api), Api, null).Allowed);
        Assert.Equal(AccessCheck.BasicOnlyOnDashboard, AccessCheck.Decide(RouteAccess.Token, Basic(Api), Api, null).Refusal);
        Assert.Equal(AccessCheck.BasicOnlyOnDashboard, AccessCheck.Decide(RouteAccess.Metrics, Basic(Metrics), Api, Metrics).Refusal);
    }

    [Fact]
    public void Decide_DashboardRefusal_AsksForBasic()
    {
        Assert.True(AccessCheck.Decide(RouteAccess.Dashboard, null, Api, null).AskForBasic);
        Assert.True(AccessCheck.Decide(RouteAccess.Dashboard, Basic("wrong"), Api, null).AskForBasic);
        Assert.False(AccessCheck.Decide(RouteAccess.Token, null, Api, null).AskForBasic);
    }

    [Theory]
    [InlineData(null, AccessCheck.TokenRequired)]
    [InlineData("", AccessCheck.TokenRequired)]
    [InlineData("Bearer", AccessCheck.TokenRequired)]
    [InlineData("Bearer wrong", AccessCheck.TokenNotValid)]
    [InlineData("Digest x=1", AccessCheck.UnknownScheme)]
    [InlineData("Basic !!!notbase64", AccessCheck.UnknownScheme)]
    public void Decide_BadCredential_IsRefusedWithAReason(string? authorization, string reason)
    {
        var decision = AccessCheck.Decide(RouteAccess.Token, authorization, Api, Metrics);
        Assert.False(decision.Allowed);
        Assert.Equal(reason, decision.Refusal);
    }
}
