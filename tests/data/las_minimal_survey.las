~Version Information
 VERS.   2.0 : CWLS LOG ASCII STANDARD - VERSION 2.0
 WRAP.   NO  : ONE LINE PER DEPTH STEP
~Well Information
 STRT.M      0.0 : START DEPTH
 STOP.M    200.0 : STOP DEPTH
 STEP.M      0.0 : STEP
 NULL.   -999.25 : NULL VALUE
 WELL.   LAS-Q1  : WELL NAME
 MDEC.deg   3.25 : MAGNETIC DECL
 GRDC.deg  -0.75 : GRID CORRECTION
 AZTC.deg   4.00 : AZM TOTAL CORR
 NREF.      Grid : NORTH REFERENCE
 VSDR.deg  120.0 : VERT SEC DIRECT
~Curve Information
 DEPT.M          : Survey Depth
 INC .deg        : Inclination
 AZI .deg        : Azimuth
~A
 0.0   0.0    0.0
 50.0  0.0 -999.25
 100.0 1.0   10.0
 200.0 2.0   12.0
