# Installs RemoteExecutor as a Windows service (run in an elevated PowerShell).
# The seed's form: New-Service + restart-on-failure + start.
param(
    [string]$Binary = "C:\remote_executor\remote_executor.exe",
    [string]$Arguments = "run --addr=:2376 --root=C:\remote_executor\root"
)
New-Service -Name remote_executor -BinaryPathName "`"$Binary`" $Arguments" -DisplayName "Remote Executor" -StartupType Automatic
sc.exe failure remote_executor reset= 0 actions= restart/0/restart/0/restart/0
sc.exe start remote_executor
# Cluster mode: keep the secrets in files only the service account (LocalSystem) and Administrators can read,
# e.g. C:\remote_executor\secrets\{token,database,cluster.crt,cluster.key} (icacls ... /inheritance:r), and add to
# -Arguments: --token_file=... --database_file=... --cluster_cert=... --cluster_key=... (see ops/cluster-runbook.md).
# Machine environment variables (REMOTE_EXECUTOR_TOKEN/DATABASE) still work but every process can read them.
