# Installs RemoteExecutor as a Windows service (run in an elevated PowerShell).
# The seed's form: New-Service + restart-on-failure + start.
param(
    [string]$Binary = "C:\remote_executor\remote_executor.exe",
    [string]$Arguments = "run --addr=:2376 --root=C:\remote_executor\root"
)
New-Service -Name remote_executor -BinaryPathName "`"$Binary`" $Arguments" -DisplayName "Remote Executor" -StartupType Automatic
sc.exe failure remote_executor reset= 0 actions= restart/0/restart/0/restart/0
sc.exe start remote_executor
# Cluster mode: set REMOTE_EXECUTOR_DATABASE and REMOTE_EXECUTOR_TOKEN as machine environment variables
# before starting, e.g. [Environment]::SetEnvironmentVariable("REMOTE_EXECUTOR_TOKEN", "<token>", "Machine")
