// gatehouse: identity, access control, audit and secrets server. See README.md.
#include "app/app.hpp"

int main(int argc, char** argv) { return gatehouse::app::Main(argc, argv); }
