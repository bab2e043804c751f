/* main.c - drydock CLI entry point; everything lives in cli/cli.c. */
int cli_main(int argc, char **argv);

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
