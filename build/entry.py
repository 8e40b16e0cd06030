from kubectl_netpoltest.__main__ import main

main()
