-- One database per service: no service reads another's tables.
CREATE DATABASE events OWNER dxday;
CREATE DATABASE notifications OWNER dxday;
CREATE DATABASE identity OWNER dxday;
