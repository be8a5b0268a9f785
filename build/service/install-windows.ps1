#Requires -Version 5.1
# Install ScriptsManager as one machine-wide service on a shared Windows workstation.
# In an elevated PowerShell (Run as administrator):
#
#   powershell -ExecutionPolicy Bypass -File build\service\install-windows.ps1 `
#       [-Prefix C:\ScriptsManager] [-Port 5000] [-Python "py -3.12"] [-CreateAdmin NAME]
#   powershell -ExecutionPolicy Bypass -File build\service\install-windows.ps1 -Uninstall
#
# - the service runs as the built-in LOCAL SERVICE account (no password to manage), as a
#   scheduled task at start-up; Windows has no gunicorn, so it serves with Werkzeug's
#   threaded server, on 127.0.0.1 only;
# - its data folder (C:\ProgramData\ScriptsManager, the site data folder) is readable only
#   by that account, SYSTEM and Administrators, so users cannot open each other's runs or
#   project files through Explorer: they reach them through the app, with their accounts;
# - the app is a virtual environment in -Prefix (from this checkout), writable only by
#   Administrators. Its base Python must be readable by LOCAL SERVICE: a Python installed
#   for all users (C:\Program Files\Python3xx), not one under C:\Users;
# - -Python is a python.exe path, a command on PATH, or the py launcher with a version
#   ("py -3.13"); Python 3.12 or newer;
# - -CreateAdmin NAME creates the first admin before the service starts (its password is
#   asked on the console); without it the installer prints the one-time setup link;
# - a re-run updates the app and the task in place (the data folder is kept); -Uninstall
#   removes the task and the prefix and keeps the data folder.
# Each user then opens it with `scriptsmanager --connect http://127.0.0.1:5000/`.
param(
    [string]$Prefix = "C:\ScriptsManager",
    [ValidateRange(1, 65535)]
    [int]$Port = 5000,
    [string]$Python = "py -3.12",
    [string]$CreateAdmin = "",
    [switch]$Uninstall
)
Set-StrictMode -Version Latest
$ErrorActionPreference = "Stop"
$ProgressPreference = "SilentlyContinue"

$TaskName = "ScriptsManager"
$ProbeTaskName = "ScriptsManager-check"
$ServiceSid = "S-1-5-19"          # NT AUTHORITY\LOCAL SERVICE (by SID: names are localized)
$MinimumPython = [version]"3.12"
$UsernamePattern = '^[A-Za-z0-9][A-Za-z0-9._-]{1,49}$'   # server/services/users.py

# The task runs this file with the venv's Python: the settings are Python string literals,
# so no command shell parses them, and stopping the task stops the server itself.
$LauncherTemplate = @'
"""Start the ScriptsManager shared service. Written by build/service/install-windows.ps1."""

import os
import sys

os.environ["SHARED_INSTALL"] = "true"
os.environ["SCRIPTSMANAGER_HOME"] = @HOME@

from desktop.launcher import main  # noqa: E402 (the environment comes first)

sys.exit(main(["--server", "--host", "127.0.0.1", "--port", "@PORT@"]))
'@

function Stop-Install([string]$Message) {
    [Console]::Error.WriteLine("install-windows.ps1: $Message")
    exit 1
}

function Assert-Administrator {
    $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = [Security.Principal.WindowsPrincipal]::new($identity)
    if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
        Stop-Install ("run this in an elevated PowerShell (right-click Windows PowerShell, " +
            "Run as administrator): it creates a scheduled task and sets folder permissions.")
    }
}

function Test-Under([string]$Path, [string]$Root) {
    if (-not $Path -or -not $Root) { return $false }
    return $Path.StartsWith($Root.TrimEnd("\") + "\", [StringComparison]::OrdinalIgnoreCase)
}

function Format-Literal([string]$Value) {
    # A single-quoted PowerShell string, for the commands printed to paste.
    return "'" + $Value.Replace("'", "''") + "'"
}

function ConvertTo-PythonString([string]$Value) {
    return '"' + $Value.Replace('\', '\\').Replace('"', '\"') + '"'
}

function Get-FullPath([string]$Path) {
    $full = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
    $root = [IO.Path]::GetPathRoot($full)
    if ($full.TrimEnd("\") -eq $root.TrimEnd("\")) { Stop-Install "-Prefix cannot be a drive root: $Path" }
    return $full.TrimEnd("\")
}

function Invoke-PythonJson([string]$Exe, [string[]]$Arguments, [string]$Code, [string]$Hint = "") {
    # Runs Python code that prints one JSON object (ASCII, whatever the console's code page).
    $output = & $Exe @Arguments -c $Code
    if ($LASTEXITCODE -ne 0) { Stop-Install "$Exe $Arguments failed (exit code $LASTEXITCODE).$Hint" }
    return (($output | Out-String) | ConvertFrom-Json)
}

function Get-ServicePrincipal {
    return New-ScheduledTaskPrincipal -UserId $ServiceSid -LogonType ServiceAccount
}

function Invoke-AsServiceAccount([string]$Exe, [string]$Arguments) {
    # Runs a program once as LOCAL SERVICE (through a throw-away scheduled task, as the
    # service itself is run) and returns its exit code.
    Remove-Task $ProbeTaskName
    $action = New-ScheduledTaskAction -Execute $Exe -Argument $Arguments
    $settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries `
        -ExecutionTimeLimit (New-TimeSpan -Minutes 5)
    Register-ScheduledTask -TaskName $ProbeTaskName -Action $action -Principal (Get-ServicePrincipal) `
        -Settings $settings -Force | Out-Null
    try {
        Start-ScheduledTask -TaskName $ProbeTaskName | Out-Null
        $deadline = (Get-Date).AddMinutes(2)
        do {
            Start-Sleep -Milliseconds 500
            $state = (Get-ScheduledTask -TaskName $ProbeTaskName).State
            $result = (Get-ScheduledTaskInfo -TaskName $ProbeTaskName).LastTaskResult
            # 0x41301: still running; 0x41303: not started yet
        } while (($state -eq "Running" -or $result -eq 0x41301 -or $result -eq 0x41303) -and
                 (Get-Date) -lt $deadline)
        return $result
    } finally {
        Remove-Task $ProbeTaskName
    }
}

function Remove-Task([string]$Name) {
    if (Get-ScheduledTask -TaskName $Name -ErrorAction SilentlyContinue) {
        Unregister-ScheduledTask -TaskName $Name -Confirm:$false | Out-Null
    }
}

function Get-PrefixProcess {
    # The server, its interpreter and any script run with the venv's Python.
    Get-CimInstance -ClassName Win32_Process | Where-Object {
        $_.ProcessId -ne $PID -and ((Test-Under $_.ExecutablePath $Prefix) -or
            ($_.CommandLine -and $_.CommandLine.IndexOf($ServiceScript, [StringComparison]::OrdinalIgnoreCase) -ge 0))
    }
}

function Stop-Manager {
    # Stops the task, then whatever still runs from the prefix, so that it can be replaced.
    $task = Get-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue
    if ($task -and $task.State -eq "Running") {
        Write-Host "==> stopping the scheduled task $TaskName"
        Stop-ScheduledTask -TaskName $TaskName | Out-Null
    }
    $deadline = (Get-Date).AddSeconds(30)
    while ($true) {
        $running = @(Get-PrefixProcess)
        if ($running.Count -eq 0) { return }
        $ids = ($running | ForEach-Object { $_.ProcessId }) -join ", "
        if ((Get-Date) -ge $deadline) { Stop-Install "processes still run from ${Prefix}: $ids" }
        Write-Host "==> stopping the processes that run from ${Prefix}: $ids"
        foreach ($process in $running) { Stop-Process -Id $process.ProcessId -Force -ErrorAction SilentlyContinue }
        Start-Sleep -Seconds 1
    }
}

function Get-DataHome {
    # The site data folder, as the app finds it with SHARED_INSTALL=true (platformdirs).
    $code = "import json, platformdirs; print(json.dumps({'home': platformdirs.site_data_dir('ScriptsManager', appauthor=False)}))"
    $found = Invoke-PythonJson $VenvPython @() $code
    return [string]$found.home
}

function Invoke-Manager([string[]]$Arguments, [string]$Hint = "") {
    # scriptsmanager.exe against the shared data folder, as the service sees it. The two
    # variables are set for this command only: the session's own values come back after.
    $savedShared = [Environment]::GetEnvironmentVariable("SHARED_INSTALL")
    $savedHome = [Environment]::GetEnvironmentVariable("SCRIPTSMANAGER_HOME")
    try {
        $env:SHARED_INSTALL = "true"
        $env:SCRIPTSMANAGER_HOME = $DataHome
        & $ManagerExe @Arguments
        if ($LASTEXITCODE -ne 0) { Stop-Install "scriptsmanager $($Arguments[0]) failed (exit code $LASTEXITCODE).$Hint" }
    } finally {
        [Environment]::SetEnvironmentVariable("SHARED_INSTALL", $savedShared)
        [Environment]::SetEnvironmentVariable("SCRIPTSMANAGER_HOME", $savedHome)
    }
}

function Grant-DataToService {
    # What an Administrator created in the data folder (init-db, create-admin) takes the
    # folder's ACL and becomes LOCAL SERVICE's, like what the service creates itself.
    icacls (Join-Path $DataHome "*") /reset /T /C /Q | Out-Null
    if ($LASTEXITCODE -ne 0) { Stop-Install "icacls /reset in $DataHome failed (exit code $LASTEXITCODE)." }
    icacls $DataHome /setowner "*$ServiceSid" /T /C /Q | Out-Null
    if ($LASTEXITCODE -ne 0) { Stop-Install "icacls /setowner in $DataHome failed (exit code $LASTEXITCODE)." }
}

function Get-PythonFixText {
    return @"
The service account (LOCAL SERVICE) must be able to read the Python the app runs on.
Install Python $MinimumPython or newer for all users, then run this installer again with it:
  - the python.org installer: "Customize installation", then "Install Python for all users"
    (it goes to C:\Program Files\Python3xx), or
  - winget install -e --id Python.Python.3.12 --scope machine
  then: powershell -ExecutionPolicy Bypass -File $(Format-Literal $PSCommandPath) -Python 'C:\Program Files\Python312\python.exe'
"@
}

function Resolve-BasePython {
    # -Python: "py" or "py -3.13" (the launcher and a version), a python.exe path, or a command.
    $launcherArguments = @()
    if ($Python -match '^\s*(py(?:\.exe)?)(?:\s+(-\S+))?\s*$') {
        $exe = $Matches[1]
        if ($Matches[2]) { $launcherArguments = @($Matches[2]) }
    } else {
        $exe = $Python.Trim().Trim([char]'"')
    }
    if (Test-Path -LiteralPath $exe -PathType Leaf) {
        $exe = (Resolve-Path -LiteralPath $exe).Path
    } else {
        $command = Get-Command -Name $exe -CommandType Application -ErrorAction SilentlyContinue |
            Select-Object -First 1
        if (-not $command) { Stop-Install "Python not found: $Python`n$(Get-PythonFixText)" }
        $exe = $command.Path
    }
    $code = "import json, sys; print(json.dumps({'base': sys.base_prefix, 'version': '%d.%d' % sys.version_info[:2]}))"
    $found = Invoke-PythonJson $exe $launcherArguments $code "`n$(Get-PythonFixText)"
    $base = ([string]$found.base).TrimEnd("\")
    if ([version][string]$found.version -lt $MinimumPython) {
        Stop-Install "$Python is Python $($found.version); ScriptsManager needs $MinimumPython or newer.`n$(Get-PythonFixText)"
    }
    $profileList = Get-ItemProperty -LiteralPath "HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList"
    $profiles = [Environment]::ExpandEnvironmentVariables([string]$profileList.ProfilesDirectory)
    if ((Test-Under $base $profiles) -or (Test-Under $base "$env:SystemDrive\Users")) {
        Stop-Install "$Python is installed for one user only ($base, under $profiles).`n$(Get-PythonFixText)"
    }
    if ($base -match '\\WindowsApps\\') {
        Stop-Install "$Python is the Microsoft Store Python ($base), which other accounts cannot run.`n$(Get-PythonFixText)"
    }
    $baseExe = Join-Path $base "python.exe"
    if (-not (Test-Path -LiteralPath $baseExe -PathType Leaf)) { Stop-Install "no python.exe in $base." }
    # Folder permissions decide the rest (deny entries, group membership): try it as the account.
    $result = Invoke-AsServiceAccount $baseExe "-c pass"
    if ($result -ne 0) {
        $code = "0x" + ("{0:X}" -f $result)
        Stop-Install "LOCAL SERVICE cannot run $baseExe (result $code): it cannot read that folder.`n$(Get-PythonFixText)"
    }
    Write-Host "==> Python $($found.version): $base"
    return $baseExe
}

function Wait-Health {
    $deadline = (Get-Date).AddSeconds(90)
    while ((Get-Date) -lt $deadline) {
        try {
            $response = Invoke-WebRequest -UseBasicParsing -TimeoutSec 5 -Uri "http://127.0.0.1:$Port/health"
            if ($response.StatusCode -eq 200) { return $true }
        } catch {
            # not listening yet
        }
        Start-Sleep -Seconds 2
    }
    return $false
}

function Install-Manager {
    if ($CreateAdmin -and $CreateAdmin -notmatch $UsernamePattern) {
        Stop-Install "-CreateAdmin: 2 to 50 letters, digits, '.', '_' or '-', starting with a letter or digit."
    }
    $source = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot "..\..")).Path
    if (-not (Test-Path -LiteralPath (Join-Path $source "pyproject.toml") -PathType Leaf)) {
        Stop-Install "run the installer from its place in a ScriptsManager checkout ($source has no pyproject.toml)."
    }
    $basePython = Resolve-BasePython

    if ((Test-Path -LiteralPath $Prefix) -and -not (Test-Path -LiteralPath $VenvConfig -PathType Leaf) -and
        @(Get-ChildItem -LiteralPath $Prefix -Force).Count -gt 0) {
        Stop-Install "$Prefix exists and is not a ScriptsManager installation: empty it or choose another -Prefix."
    }
    Stop-Manager

    Write-Host "==> application: $Prefix (Administrators write, LOCAL SERVICE and Users read)"
    New-Item -ItemType Directory -Force -Path $Prefix | Out-Null
    icacls $Prefix /inheritance:r /grant:r "*S-1-5-32-544:(OI)(CI)F" "*S-1-5-18:(OI)(CI)F" `
        "*${ServiceSid}:(OI)(CI)RX" "*S-1-5-32-545:(OI)(CI)RX" /Q | Out-Null
    if ($LASTEXITCODE -ne 0) { Stop-Install "icacls on $Prefix failed (exit code $LASTEXITCODE)." }
    & $basePython -m venv --clear $Prefix
    if ($LASTEXITCODE -ne 0) { Stop-Install "python -m venv $Prefix failed (exit code $LASTEXITCODE)." }
    & $VenvPython -m pip install --quiet --upgrade pip
    if ($LASTEXITCODE -ne 0) { Stop-Install "upgrading pip failed (exit code $LASTEXITCODE)." }
    & $VenvPython -m pip install --quiet $source
    if ($LASTEXITCODE -ne 0) { Stop-Install "pip install $source failed (exit code $LASTEXITCODE)." }

    $script:DataHome = Get-DataHome
    $launcher = $LauncherTemplate.Replace("@HOME@", (ConvertTo-PythonString $DataHome)).Replace("@PORT@", "$Port")
    [IO.File]::WriteAllText($ServiceScript, $launcher, [Text.UTF8Encoding]::new($false))
    $result = Invoke-AsServiceAccount $VenvPython "-c `"import server.cli`""
    if ($result -ne 0) {
        $code = "0x" + ("{0:X}" -f $result)
        Stop-Install "LOCAL SERVICE cannot run the app in $Prefix (result $code): check the folder's permissions."
    }

    Write-Host "==> data: $DataHome (LOCAL SERVICE, SYSTEM and Administrators only)"
    New-Item -ItemType Directory -Force -Path $DataHome | Out-Null
    icacls $DataHome /inheritance:r /grant:r "*${ServiceSid}:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" `
        "*S-1-5-18:(OI)(CI)F" /Q | Out-Null
    if ($LASTEXITCODE -ne 0) { Stop-Install "icacls on $DataHome failed (exit code $LASTEXITCODE)." }
    Invoke-Manager @("init-db")
    Grant-DataToService
    if ($CreateAdmin) {
        Write-Host "==> first admin: $CreateAdmin (its password is asked below)"
        try {
            Invoke-Manager @("create-admin", "--username", $CreateAdmin) `
                "`nThe service is not started: run the installer again (without -CreateAdmin to skip this)."
        } finally {
            Grant-DataToService
        }
    }

    Write-Host "==> scheduled task: $TaskName (at start-up, as LOCAL SERVICE, port $Port)"
    $action = New-ScheduledTaskAction -Execute $VenvPython -Argument "`"$ServiceScript`"" -WorkingDirectory $DataHome
    $trigger = New-ScheduledTaskTrigger -AtStartup
    # No time limit, on battery too, and at normal priority (a task's default is below normal,
    # which the scripts it starts would inherit).
    $settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit ([TimeSpan]::Zero) -MultipleInstances IgnoreNew `
        -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -Priority 5 `
        -RestartCount 3 -RestartInterval (New-TimeSpan -Minutes 1)
    Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger -Principal (Get-ServicePrincipal) `
        -Settings $settings -Description "ScriptsManager (shared workstation), http://127.0.0.1:$Port/" -Force | Out-Null
    Start-ScheduledTask -TaskName $TaskName | Out-Null
    if (-not (Wait-Health)) {
        Stop-Install ("the service does not answer on http://127.0.0.1:$Port/health; see " +
            "Get-ScheduledTaskInfo $TaskName and the logs in $(Join-Path $DataHome 'data\logs\system').")
    }

    Write-Host ""
    Write-Host "ScriptsManager is installed."
    $tokenFile = Join-Path $DataHome "setup_token"
    if (Test-Path -LiteralPath $tokenFile -PathType Leaf) {
        $token = (Get-Content -Raw -LiteralPath $tokenFile).Trim()
        $rerun = "powershell -ExecutionPolicy Bypass -File {0} -Prefix {1} -Port {2} -Python {3} -CreateAdmin alice" -f
            (Format-Literal $PSCommandPath), (Format-Literal $Prefix), $Port, (Format-Literal $Python)
        Write-Host "  No admin exists yet. Create the first one with this one-time link (keep it to yourself):"
        Write-Host "    http://127.0.0.1:$Port/setup?token=$token"
        Write-Host "  or on this console, in an elevated PowerShell (any name for alice; the password is asked):"
        Write-Host "    $rerun"
        Write-Host "  or by hand, with the same effect:"
        Write-Host ('    $env:SHARED_INSTALL = {0}; $env:SCRIPTSMANAGER_HOME = {1}' -f (Format-Literal "true"), (Format-Literal $DataHome))
        Write-Host ('    & {0} create-admin --username alice' -f (Format-Literal $ManagerExe))
        Write-Host  '    Remove-Item Env:\SHARED_INSTALL, Env:\SCRIPTSMANAGER_HOME'
        Write-Host ('    icacls {0} /reset /T /C /Q; icacls {1} /setowner {2} /T /C /Q' -f
            (Format-Literal (Join-Path $DataHome "*")), (Format-Literal $DataHome), (Format-Literal "*$ServiceSid"))
    }
    Write-Host "  Each user opens it with:   scriptsmanager --connect http://127.0.0.1:$Port/"
    Write-Host "  or in a browser:           http://127.0.0.1:$Port/"
}

function Uninstall-Manager {
    $task = Get-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue
    $kept = ""
    if ($task) { $kept = [string]@($task.Actions)[0].WorkingDirectory }
    if (-not $kept) {
        $kept = Join-Path ([Environment]::GetFolderPath("CommonApplicationData")) "ScriptsManager"
    }
    Stop-Manager
    Remove-Task $ProbeTaskName
    if ($task) {
        Write-Host "==> removing the scheduled task $TaskName"
        Remove-Task $TaskName
    }
    if (Test-Path -LiteralPath $VenvConfig -PathType Leaf) {
        Write-Host "==> removing $Prefix"
        Remove-Item -LiteralPath $Prefix -Recurse -Force
    } elseif (Test-Path -LiteralPath $Prefix) {
        Write-Host "  $Prefix is not a ScriptsManager installation: left in place."
    }
    Write-Host ""
    Write-Host "ScriptsManager is uninstalled. Its data folder is kept: $kept"
    Write-Host "  (users, runs, projects, backups; readable by LOCAL SERVICE and Administrators only)."
    Write-Host "  A new install with the same data folder takes it up again. To delete it for good:"
    Write-Host "    Remove-Item -LiteralPath $(Format-Literal $kept) -Recurse -Force"
}

Assert-Administrator
if ($Uninstall -and $CreateAdmin) { Stop-Install "-Uninstall and -CreateAdmin do not go together." }
$Prefix = Get-FullPath $Prefix
$VenvConfig = Join-Path $Prefix "pyvenv.cfg"
$VenvPython = Join-Path $Prefix "Scripts\python.exe"
$ManagerExe = Join-Path $Prefix "Scripts\scriptsmanager.exe"
$ServiceScript = Join-Path $Prefix "scriptsmanager-service.py"
$DataHome = ""
if ($Uninstall) {
    Uninstall-Manager
} else {
    Install-Manager
}
