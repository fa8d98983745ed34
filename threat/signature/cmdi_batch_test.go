package signature_test

import "testing"

// cmd.exe's FOR loops and IF statements, as a payload chains them on a
// Windows command line. Public samples: the OWASP CRS regression tests of
// its rule 932140 (Apache-2.0) and SS64's cmd.exe reference.
var batchAttacks = []placedCase{
	{"for %a in (set) do command", nil},
	{"for %%variable in (set) do command", nil},
	{"for /d %variable in (set) do command", nil},
	{`for /r c:\ %variable in (set) do command`, nil},
	{"for /l %variable in (1,1,2) do command", nil},
	{`FOR /F "tokens=1-3" %%A IN   ("jejeje brbr") DO @echo pwnd`, nil},
	{`& FOR /F "delims=" %G IN ('SET') DO @Echo %G`, nil},
	{`|for /f "delims=" %i in ('cmd /c "powershell.exe -InputFormat none write 'FJQPVY'.length"') do if`, nil},
	{`;for /f \"delims=\" %i in ('cmd /c \"set /a (35+66)\"') do @set /p = LZEUZE%i< nul'`, nil},
	{"& FOR %@ IN (a,b,c)DO cmd", nil},
	{`FOR /F "tokens=1,2* delims=," %%G IN (C:\MyDocu~1\mytex~1.txt) DO ECHO %%G`, nil},
	{`For /R C:\temp\ %G IN (*.bak) do Echo del "%G"`, nil},
	{"IF        EXIST filename.txt     (", nil},
	{`IF        EXIST C:\pagefile.sys  (CMD) ELSE (CMD)`, nil},
	{`IF /I NOT EXIST C:\nonexistent   echo hey`, nil},
	{"IF    NOT DEFINED _example       ECHO Value Missing", nil},
	{"IF        ERRORLEVEL 0           CMD", nil},
	{"IF        CMDEXTVERSION 1        GOTO start_process", nil},
	{`IF        "2"          GEQ "15"  echo "bigger"`, nil},
	{"IF        %ERRORLEVEL% NEQ 0     echo test", nil},
	{"IF        (2 GEQ 15)             echo \"bigger\"", nil},
	{`IF "%~1" == "%~2" (EXIT /B 0) ELSE (EXIT /B 1)`, nil},
	{"if /i a==b foo", nil},
	{"IF [%1]==[]               ECHO Value Missing", nil},
	{"if (%1)==(LTRS) CD C:\\WORD\\LTRS", nil},
	{"if not {%1} == {}", nil},
	{"image.jpg|if exist C:\\boot.ini ping -n 3 127.0.0.1", nil},
}

// batchBenign are sentences and code of other languages that read like
// them: an English "if", C's and Python's conditions, the preprocessor,
// a "for ... in ... do" of prose.
var batchBenign = []placedCase{
	{"If not defined in the config, the default is used.", nil},
	{"if (answer == foobar) { GetLost (n); break; }", nil},
	{"if x == 5: print(x)", nil},
	{"#if defined(__alpha__) && defined(CONFIG_PCI)", nil},
	{`if (argc > 1 && strcmp(argv[1], "-advice") == 0) { printf("Don't Panic!\n"); exit(42); }`, nil},
	{"if [ \"$a\" == \"$b\" ]; then echo same; fi", nil},
	{"if a==b then go home", nil},
	{"for 10% in (most) cases we do nothing", nil},
	{"for each item in (the list) do the thing", nil},
	{"Pay for it in (cash) do not wait", nil},
	{"if exists, the file is kept", nil},
	{"if defined as a word, it reads as one", nil},
	{"search for %s in (a format string) done", nil},
}

func TestBatchStatements(t *testing.T) {
	checkPlaced(t, "cmdi", batchAttacks, 0.99, batchBenign, 0.75)
}
