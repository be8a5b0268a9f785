# Install ScriptsManager as one machine-wide service on a shared Windows workstation.
#
#   powershell -ExecutionPolicy Bypass -File build\service\install-windows.ps1 `
#       [-Prefix C:\ScriptsManager] [-Port 5000] [-Python py]
#
# Windows has no gunicorn: the manager serves with Werkzeug's threaded server. It runs as
# a scheduled task at start-up under the built-in LOCAL SERVICE account (no password to
# manage). Its data folder (C:\ProgramData\ScriptsManager, the site data folder) is
# readable only by that account and Administrators, so users cannot open each other's runs
# or project files through Explorer; they reach them through the app with their accounts.
# Each user opens it with `scriptsmanager --connect http://127.0.0.1:5000/`.
param(
    [string]$Prefix = "C:\ScriptsManager",
    [int]$Port = 5000,
    [string]$Python = "py"
)
$ErrorActionPreference = "Stop"
$Source = (Resolve-Path "$PSScriptRoot\..\..").Path
$Account = "NT AUTHORITY\LOCAL SERVICE"

Write-Host "==> application: $Prefix"
& $Python -3.12 -m venv $Prefix
& "$Prefix\Scripts\pip.exe" install --quiet $Source

$DataHome = & "$Prefix\Scripts\python.exe" -c "import platformdirs; print(platformdirs.site_data_dir('ScriptsManager', appauthor=False))"
Write-Host "==> data: $DataHome (LOCAL SERVICE and Administrators only)"
New-Item -ItemType Directory -Force -Path $DataHome | Out-Null
icacls $DataHome /inheritance:r /grant:r "*S-1-5-19:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" "*S-1-5-18:(OI)(CI)F" | Out-Null

$env:SHARED_INSTALL = "true"
$env:SCRIPTSMANAGER_HOME = $DataHome
& "$Prefix\Scripts\scriptsmanager.exe" init-db
icacls $DataHome /setowner "*S-1-5-19" /T | Out-Null

Write-Host "==> scheduled task: ScriptsManager (at start-up, as LOCAL SERVICE)"
$Command = "set SHARED_INSTALL=true&& set SCRIPTSMANAGER_HOME=$DataHome&& " +
    "`"$Prefix\Scripts\scriptsmanager.exe`" --server --host 127.0.0.1 --port $Port"
$Action = New-ScheduledTaskAction -Execute "cmd.exe" -Argument "/c $Command"
$Trigger = New-ScheduledTaskTrigger -AtStartup
$Principal = New-ScheduledTaskPrincipal -UserId $Account -LogonType ServiceAccount
$Settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit ([TimeSpan]::Zero) `
    -RestartCount 3 -RestartInterval (New-TimeSpan -Minutes 1)
Register-ScheduledTask -TaskName "ScriptsManager" -Action $Action -Trigger $Trigger `
    -Principal $Principal -Settings $Settings -Force | Out-Null
Start-ScheduledTask -TaskName "ScriptsManager"

Write-Host ""
Write-Host "ScriptsManager is installed."
$TokenFile = Join-Path $DataHome "setup_token"
if (Test-Path $TokenFile) {
    $Token = (Get-Content -Raw $TokenFile).Trim()
    Write-Host "  No admin exists yet. Create the first one with this one-time link (keep it to yourself):"
    Write-Host "    http://127.0.0.1:$Port/setup?token=$Token"
}
Write-Host "  Or create the first admin (no default password exists), as an Administrator:"
Write-Host "    set SHARED_INSTALL=true & set SCRIPTSMANAGER_HOME=$DataHome"
Write-Host "    $Prefix\Scripts\scriptsmanager.exe create-admin --username <name>"
Write-Host "  Each user opens it with:  scriptsmanager --connect http://127.0.0.1:$Port/"
