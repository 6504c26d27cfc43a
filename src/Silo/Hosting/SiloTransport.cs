using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Configuration;
using Orleans.Connections.Security;
using RemoteExecutor.Grains.Storage;
using RemoteExecutor.Silo.Cli;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>
/// How the silo talks to other Orleans processes. The HTTP API is hosted in the silo, so nothing outside needs
/// Orleans ports. Single node: silo port on loopback only, no gateway, mutual TLS pinned to a certificate made
/// at start (so not even a local user can speak Orleans to it). Cluster: mutual TLS pinned to the cluster
/// certificate on the silo port (and on the gateway, only when asked for).
/// </summary>
public static class SiloTransport
{
    /// <summary>The certificate this run presents and requires: the cluster one, or a fresh one on a single node; null = no TLS.</summary>
    public static X509Certificate2? Certificate(SiloSettings settings, DatabaseKind kind)
    {
        if (kind == DatabaseKind.Sqlite)
        {
            return ClusterCertificate.Create("remote-executor-" + settings.Node, TimeSpan.FromDays(3650));
        }

        return settings.ClusterCert is { } cert && settings.ClusterKey is { } key ? ClusterCertificate.Load(cert, key) : null;
    }

    public static void Configure(ISiloBuilder silo, SiloSettings settings, Database database, X509Certificate2? certificate)
    {
        var single = database.Kind == DatabaseKind.Sqlite;
        silo.Configure<ClusterOptions>(o =>
        {
            // Single node: a cluster id nobody can guess; the service id keys stored rows and stays.
            o.ClusterId = single ? settings.ClusterId + "-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant() : settings.ClusterId;
            o.ServiceId = settings.ClusterId;
        });

        if (single)
        {
            silo.UseLocalhostClustering(settings.SiloPort, gatewayPort: 0);
        }
        else
        {
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = database.OrleansInvariant;
                o.DataSource = database.DataSource;
            });
            silo.Configure<EndpointOptions>(o =>
            {
                o.AdvertisedIPAddress = settings.Advertise ?? Network.DefaultAdvertiseAddress();
                o.SiloPort = settings.SiloPort;
                o.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, settings.SiloPort);
                o.GatewayPort = settings.GatewayPort ?? 0;
                o.GatewayListeningEndpoint = settings.GatewayPort is { } gateway ? new IPEndPoint(IPAddress.Any, gateway) : null;
            });
        }

        if (certificate is not null)
        {
            silo.UseTls(certificate, tls => Pin(tls, certificate));
        }
    }

    /// <summary>Mutual TLS where the peer must present exactly <paramref name="certificate"/>, both as server and as client.</summary>
    public static void Pin(TlsOptions tls, X509Certificate2 certificate)
    {
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.RemoteCertificateValidation = (presented, _, _) => ClusterCertificate.Matches(certificate, presented);
        tls.OnAuthenticateAsClient = (_, options) => options.TargetHost = "remote-executor";
    }
}
