~Version Information
 VERS.   2.0 : CWLS LOG ASCII STANDARD - VERSION 2.0
 WRAP.   NO  : ONE LINE PER DEPTH STEP
~Well Information
 STRT.F   1002.0 : START DEPTH
 STOP.F   1000.0 : STOP DEPTH
 STEP.F     -1.0 : STEP
 NULL.   -999.25 : NULL VALUE
~Curve Information
 DEPT.F          : Depth
 GR  .GAPI       : Gamma ray
 INCL.DEG        : Hole inclination
 AZIM.DEG        : Azimuth
~A
 1002.0 55.1 0.0 0.0
 1001.0 56.2 0.0 0.0
 1000.0 57.3 0.0 0.0
