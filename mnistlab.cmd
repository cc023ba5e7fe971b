@echo off
rem mnistlab launcher for Windows (what ./mnistlab does elsewhere): builds the jar the first time (and
rem after source changes) with mvn when it is on the PATH, else with the Maven Wrapper, then runs the CLI.
setlocal
set "HERE=%~dp0"
set "JAR=%HERE%target\mnistlab.jar"
if not exist "%JAR%" goto build
if not exist "%HERE%target\lib\" goto build
rem Sources newer than the jar? (PowerShell ships with Windows; mvnw.cmd needs it too.)
powershell -NoProfile -NonInteractive -Command "$jar = (Get-Item -LiteralPath $env:JAR).LastWriteTime; $newer = Get-ChildItem -LiteralPath (Join-Path $env:HERE 'src\main'), (Join-Path $env:HERE 'pom.xml') -Recurse -File | Where-Object { $_.LastWriteTime -gt $jar } | Select-Object -First 1; if ($newer) { exit 1 }"
if errorlevel 1 goto build
goto run

:build
echo mnistlab: building (first run or sources changed)... 1>&2
set "MAVEN=%HERE%mvnw.cmd"
where mvn >nul 2>nul && set "MAVEN=mvn"
pushd "%HERE%"
call "%MAVEN%" -B -q package -DskipTests 1>&2
set "BUILT=%ERRORLEVEL%"
popd
if not "%BUILT%"=="0" exit /b %BUILT%

:run
java %MNISTLAB_JAVA_OPTS% -cp "%JAR%;%HERE%target\lib\*" dev.mnistlab.cli.Main %*
exit /b %ERRORLEVEL%
